package dev.soma.resilience.outbox;

import dev.soma.resilience.common.audit.AdminAudit;
import dev.soma.resilience.common.db.Transaction;
import dev.soma.resilience.outbox.internal.OutboxHousekeeping;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts outbox rows on the replay schedule ({@link #REQUEUE}), the one way operators' replays send
 * events again: one dead letter's row ({@link #one}) or a bulk replay's rows ({@link #put}), the
 * latter in transactions of {@link #CHUNK} rows each.
 *
 * <p>Why chunks: one transaction over a 100,000-row replay ran 9 to 29 s beside live traffic, and
 * the replayed tenant's live events waited about that long (docs/PERFORMANCE.md, Issue 17); a chunk
 * is a fraction of a second. Every chunk's rows are due at the replay's pace counted from the first
 * chunk, so a row is committed long before it is due and none falls due in a burst at a late
 * commit. Each chunk is atomic and writes its part of the audit: the first one writes the replay's
 * {@code admin_audit} row, each later one adds its rows to that row's count in its own transaction,
 * so the count is always what was put back. A replay that stops half-way (the database lost, the
 * process killed) leaves its committed chunks scheduled and the audit saying how many; the same
 * replay asked again skips those rows (scheduled or pending already) and puts back the rest.
 */
final class ReplaySchedule {

  /** Rows per transaction of a bulk replay. */
  static final int CHUNK = 2_000;

  /**
   * A chosen row's topic is one Kafka never accepts (written before the topic check, sql/V6): it
   * could never be published, and nothing is scheduled.
   */
  static final class UnpublishableTopic extends IllegalArgumentException {
    UnpublishableTopic(long id) {
      super(
          "event "
              + id
              + "'s topic is not a name Kafka accepts: it can never be published, resolve its dead"
              + " letter instead (nothing was replayed)");
    }
  }

  /**
   * Schedules outbox rows {@code $1} that are dead or published to be sent again with the same id,
   * dedupe key, payload and headers: each gets a due time in {@code outbox_replay_schedule}, row
   * {@code i} (in id order) {@code ($6 + i) / $2} seconds after {@code $5} (null: now); a relay
   * moves it to pending, attempts reset and marked {@code replayed}, once due ({@code
   * ReplayRelease.RELEASE_DUE_REPLAYS}). The unresolved dead letters of the dead ones are resolved
   * by {@code $3} with notes {@code $4}. Rows already pending or already scheduled are left alone.
   * Returns each scheduled row's id and the status it had, in id order, and the time the due times
   * count from.
   *
   * <p>The outbox rows themselves are only share-locked, not updated: updating 100,000 of them (to
   * mark them) was four fifths of a replay's cost and wrote a new version of every row beside live
   * traffic. The transaction holds off the retention ({@link
   * OutboxHousekeeping#HOLD_OFF_RETENTION}, run before this), so a published row is never deleted
   * while it is being scheduled.
   */
  static final String REQUEUE =
      """
      WITH chosen AS (
          SELECT o.id, o.status FROM outbox_messages o
           WHERE o.id = ANY($1::bigint[]) AND o.status <> 'pending'
             AND NOT EXISTS (SELECT 1 FROM outbox_replay_schedule s WHERE s.outbox_id = o.id)
           ORDER BY o.id
             FOR KEY SHARE
      ),
      paced AS (
          SELECT id, status, row_number() OVER (ORDER BY id) - 1 AS i FROM chosen
      ),
      scheduled AS (
          INSERT INTO outbox_replay_schedule (outbox_id, due_at)
          SELECT id, coalesce($5::timestamptz, now()) + make_interval(secs => ($6 + i) / $2::float8)
            FROM paced
          ON CONFLICT (outbox_id) DO NOTHING
          RETURNING outbox_id
      ),
      letters AS (
          UPDATE dead_letter_messages d
             SET resolved = true, resolved_by = $3, resolved_at = now(), resolution_notes = $4
           WHERE d.outbox_id IN (SELECT s.outbox_id FROM scheduled s
                                   JOIN paced p ON p.id = s.outbox_id WHERE p.status = 'dead')
             AND NOT d.resolved
      )
      SELECT p.id, p.status AS was, o.topic, coalesce($5::timestamptz, now()) AS paced_from
        FROM scheduled s JOIN paced p ON p.id = s.outbox_id JOIN outbox_messages o ON o.id = p.id
       ORDER BY p.id\
      """;

  private final Pool pool;
  private final Outbox outbox;
  private final int rate;

  /** Bulk replays on {@code pool}, paced at {@code rate} rows a second, waking {@code outbox}. */
  ReplaySchedule(Pool pool, Outbox outbox, int rate) {
    this.pool = pool;
    this.outbox = outbox;
    this.rate = rate;
  }

  /**
   * Schedules the one row {@code id} on {@code tx}, due now, resolving its dead letters as {@code
   * operator} with {@code notes}; completes with whether it was scheduled. Fails with {@link
   * UnpublishableTopic} when its topic is one Kafka never accepts (the transaction must roll back).
   */
  static Future<Boolean> one(SqlClient tx, long id, String operator, String notes) {
    return requeue(tx, Tuple.of(new Long[] {id}, 1.0, operator, notes, null, 0))
        .compose(ReplaySchedule::scheduledIds)
        .map(ids -> !ids.isEmpty());
  }

  /** Runs {@link #REQUEUE} with {@code args} on {@code tx}, the retention held off first. */
  private static Future<RowSet<Row>> requeue(SqlClient tx, Tuple args) {
    return tx.query(OutboxHousekeeping.HOLD_OFF_RETENTION)
        .execute()
        .compose(held -> tx.preparedQuery(REQUEUE).execute(args));
  }

  /**
   * The ids {@link #REQUEUE} scheduled, in id order; fails with {@link UnpublishableTopic} when one
   * has a topic Kafka never accepts, so that its transaction rolls back: a due row whose topic
   * breaks the table's check could never be moved to pending, and would stop the release.
   */
  private static Future<List<Long>> scheduledIds(RowSet<Row> rows) {
    List<Long> ids = new ArrayList<>();
    for (Row row : rows) {
      if (!OutboxEntry.legalTopic(row.getString("topic"))) {
        return Future.failedFuture(new UnpublishableTopic(row.getLong("id")));
      }
      ids.add(row.getLong("id"));
    }
    return Future.succeededFuture(ids);
  }

  /**
   * Schedules {@code ids} (in id order) in chunks of {@link #CHUNK}, as {@code audit} (its row
   * count is what was scheduled) with {@code notes} on the resolved dead letters; completes with
   * the scheduled ids in id order. Fails with {@link UnpublishableTopic} when a row's topic is one
   * Kafka never accepts (the caller checks the chosen rows before, so only a row changed since),
   * and with the database's failure otherwise: the chunks committed before stay scheduled.
   */
  Future<List<Long>> put(List<Long> ids, AdminAudit.Entry audit, String notes) {
    return new Run(ids, audit, notes).next();
  }

  /** One bulk replay's progress through its chunks. */
  private final class Run {
    private final List<Long> ids;
    private final AdminAudit.Entry audit;
    private final String notes;
    private final List<Long> scheduled = new ArrayList<>();
    private int from;
    private OffsetDateTime pacedFrom;
    private Long auditId;

    /** What one committed chunk did. */
    private record Chunk(List<Long> scheduled, OffsetDateTime pacedFrom, long auditId) {}

    Run(List<Long> ids, AdminAudit.Entry audit, String notes) {
      this.ids = ids;
      this.audit = audit;
      this.notes = notes;
    }

    Future<List<Long>> next() {
      if (from >= ids.size()) {
        return Future.succeededFuture(scheduled);
      }
      List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
      from += chunk.size();
      return Transaction.run(pool, tx -> chunk(tx, chunk))
          .compose(
              done -> {
                scheduled.addAll(done.scheduled());
                pacedFrom = done.pacedFrom();
                auditId = done.auditId();
                return next();
              });
    }

    private Future<Chunk> chunk(Transaction tx, List<Long> chunk) {
      Tuple args =
          Tuple.of(
              chunk.toArray(Long[]::new),
              (double) rate,
              audit.operator(),
              notes,
              pacedFrom,
              scheduled.size());
      return requeue(tx, args)
          .compose(
              rows -> {
                OffsetDateTime from =
                    rows.size() == 0
                        ? pacedFrom
                        : rows.iterator().next().getOffsetDateTime("paced_from");
                return scheduledIds(rows)
                    .compose(
                        done -> {
                          if (!done.isEmpty()) {
                            tx.afterCommit(outbox::committed);
                          }
                          Future<Long> audited =
                              auditId == null
                                  ? AdminAudit.recordCounted(tx, withRows(done.size()))
                                  : AdminAudit.addRows(tx, auditId, done.size()).map(auditId);
                          return audited.map(id -> new Chunk(done, from, id));
                        });
              });
    }

    private AdminAudit.Entry withRows(long rows) {
      return new AdminAudit.Entry(audit.operator(), audit.action(), audit.request(), rows, false);
    }
  }
}
