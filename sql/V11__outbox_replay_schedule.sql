-- Operators' replays as a schedule (outbox/DeadLetters.REQUEUE, outbox/internal/OutboxHousekeeping):
-- a replayed row stays as it was (published or dead, marked replayed) until it is due, then the
-- relay (any relay) moves it to pending in small slices. The claim therefore never reads
-- through a large replay's rows that are not due yet (measured: 100,000 such rows made every
-- claim ~100 ms and live p99 30 s; docs/PERFORMANCE.md, Issue 17). No foreign key: a schedule
-- row whose outbox row is gone releases nothing, and retention keeps replayed rows anyway.
CREATE TABLE outbox_replay_schedule (
    outbox_id bigint      PRIMARY KEY,
    due_at    timestamptz NOT NULL
);

CREATE INDEX ix_outbox_replay_due ON outbox_replay_schedule (due_at);
