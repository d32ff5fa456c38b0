package dev.soma.resilience.outbox.internal;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A relay's part in operators' replays: moves replayed rows that are due from the replay schedule
 * to pending (sql/V11, written by {@code outbox/ReplaySchedule}), a chunk at a time while there are
 * more and its {@link ReplayPace} allows, and wakes the relay's claims when it moved some. One
 * round at a time ({@link #round}, every {@link #INTERVAL_MS} from the relay's timer); every relay
 * does it, so a replay goes on while any relay runs. Event-loop confined.
 */
final class ReplayRelease {

  private static final Logger LOG = LoggerFactory.getLogger(ReplayRelease.class);

  /** How often the relay moves due replayed rows to pending, and how many at most per query. */
  static final long INTERVAL_MS = 200;

  static final int CHUNK = 2000;

  /**
   * Moves up to $1 replayed rows whose time has come from the replay schedule to pending (sql/V11),
   * oldest due first, marked {@code replayed} (so that none holds a live row of its aggregate back:
   * {@link ClaimSql#CLAIM}); several relays share the work ({@code SKIP LOCKED}). Returns how many.
   */
  static final String RELEASE_DUE_REPLAYS =
      """
      WITH due AS (
          DELETE FROM outbox_replay_schedule
           WHERE outbox_id IN (SELECT outbox_id FROM outbox_replay_schedule
                                WHERE due_at <= now()
                                ORDER BY due_at
                                LIMIT $1
                                  FOR UPDATE SKIP LOCKED)
          RETURNING outbox_id
      )
      UPDATE outbox_messages o
         SET status = 'pending', attempts = 0, last_error = NULL, next_attempt_at = now(),
             lease_owner = NULL, lease_expires_at = NULL, lease_holder = NULL, published_at = NULL,
             replayed = true
        FROM due
       WHERE o.id = due.outbox_id\
      """;

  private final Pool pool;
  private final ReplayPace pace;
  private final String relayId;
  private final Runnable released;
  private boolean releasing;
  private boolean failing;

  /** For relay {@code relayId}, running {@code released} after each chunk that moved rows. */
  ReplayRelease(Pool pool, ReplayPace pace, String relayId, Runnable released) {
    this.pool = pool;
    this.pace = pace;
    this.relayId = relayId;
    this.released = released;
  }

  /** Releases what is due and the pace allows, unless a round is still running. */
  void round() {
    if (releasing) {
      return;
    }
    releasing = true;
    chunks()
        .onComplete(
            ar -> {
              releasing = false;
              // once per outage, not every 200 ms: the claim's own failures say the rest
              if (ar.failed() && !failing) {
                LOG.warn(
                    "outbox relay {}: replayed rows cannot be released now, trying every {} ms: {}",
                    relayId,
                    INTERVAL_MS,
                    ar.cause().toString());
              } else if (ar.succeeded() && failing) {
                LOG.info("outbox relay {}: replayed rows are released again", relayId);
              }
              failing = ar.failed();
            });
  }

  private Future<Void> chunks() {
    int allowed = Math.min(CHUNK, pace.available());
    if (allowed == 0) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery(RELEASE_DUE_REPLAYS)
        .execute(Tuple.of(allowed))
        .compose(
            rows -> {
              int moved = rows.rowCount();
              pace.spent(moved);
              if (moved == 0) {
                return Future.succeededFuture();
              }
              released.run();
              return moved < allowed ? Future.succeededFuture() : chunks();
            });
  }
}
