package dev.soma.resilience.outbox.internal;

import dev.soma.resilience.common.FailureLog;
import dev.soma.resilience.common.db.ChunkedDelete;
import dev.soma.resilience.config.OutboxConfig;
import dev.soma.resilience.outbox.OutboxAddresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodic outbox chores: deletes published rows older than the retention, refreshes the per-tenant
 * pending gauges (count and oldest age), and (re)publishes dead letters that are not on their
 * {@code .dlq} topic yet. Every chore is idempotent, so running this on several nodes is harmless.
 */
public final class OutboxHousekeeping extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(OutboxHousekeeping.class);

  /** One line per outage, then a count a minute, for each of its periodic tasks. */
  private final FailureLog failures = new FailureLog(Clock.systemUTC(), Duration.ofMinutes(1));

  static final int DELETE_CHUNK = 5000;

  /**
   * Retention and operators' replays exclude each other through this transaction-level advisory
   * lock: a replay's transaction holds it shared ({@link #HOLD_OFF_RETENTION}) while it schedules
   * rows, a retention delete exclusively ({@link #LOCK_FOR_RETENTION}), taken before the delete's
   * snapshot. So the delete either runs first (the row is gone, and the replay, locking it, skips
   * it) or sees the replay's committed schedule and keeps the row: a row is never deleted while it
   * is being scheduled. Replays do not wait for each other.
   */
  static final int RETENTION_LOCK_CLASS = 0x534f_4d52;

  /** Run first in a transaction that schedules replays. */
  public static final String HOLD_OFF_RETENTION =
      "SELECT pg_advisory_xact_lock_shared(" + RETENTION_LOCK_CLASS + ", 0)";

  static final String LOCK_FOR_RETENTION =
      "SELECT pg_advisory_xact_lock(" + RETENTION_LOCK_CLASS + ", 0)";

  /**
   * Deletes a chunk of published rows past retention, but none on the replay schedule (read as of
   * this statement, which {@link #LOCK_FOR_RETENTION} makes complete; leaving them out of the
   * choice, rather than keeping them after it, also keeps a replay of old rows from filling every
   * chunk with rows it keeps, which would stop the retention at its first short chunk). The outer
   * status check reads the row's latest version: a row released to pending after the choice stays.
   */
  static final String DELETE_EXPIRED =
      """
      DELETE FROM outbox_messages o
       WHERE o.id IN (SELECT id FROM outbox_messages
                       WHERE status = 'published'
                         AND published_at < now() - make_interval(secs => $1)
                         AND NOT EXISTS (SELECT 1 FROM outbox_replay_schedule r
                                          WHERE r.outbox_id = outbox_messages.id)
                       ORDER BY published_at
                       LIMIT $2)
         AND o.status = 'published'\
      """;

  /** Per tenant with pending rows: how many, and the oldest one's age in whole seconds. */
  static final String PENDING_BY_TENANT =
      """
      SELECT tenant_id, count(*) AS pending,
             floor(extract(epoch FROM now() - min(created_at)))::bigint AS oldest_seconds
        FROM outbox_messages
       WHERE status = 'pending'
       GROUP BY tenant_id\
      """;

  private final Pool pool;
  private final OutboxConfig config;
  private final OutboxMetrics metrics;
  private final DeadLetterPublisher deadLetters;
  private long cleanupTimer;
  private long gaugeTimer;

  public OutboxHousekeeping(
      Pool pool, OutboxConfig config, OutboxMetrics metrics, DeadLetterPublisher deadLetters) {
    this.pool = pool;
    this.config = config;
    this.metrics = metrics;
    this.deadLetters = deadLetters;
  }

  @Override
  public Future<?> start() {
    cleanupTimer =
        vertx.setPeriodic(
            1,
            config.cleanupInterval().toMillis(),
            id -> {
              deleteExpired()
                  .onFailure(e -> failures.warn(LOG, "outbox retention cleanup failed", e));
              deadLetters
                  .publishPending(500)
                  .onFailure(e -> failures.warn(LOG, "dead-letter publishing failed", e));
            });
    gaugeTimer =
        vertx.setPeriodic(
            1,
            config.pendingGaugeInterval().toMillis(),
            id ->
                refreshPending()
                    .onSuccess(
                        counts -> {
                          JsonObject message = new JsonObject();
                          counts.forEach(message::put);
                          vertx.eventBus().publish(OutboxAddresses.PENDING_COUNTS, message);
                        })
                    .onFailure(e -> failures.warn(LOG, "pending gauge refresh failed", e)));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(cleanupTimer);
    vertx.cancelTimer(gaugeTimer);
    return Future.succeededFuture();
  }

  /** Deletes every published row past the retention, in chunks; completes with the count. */
  public Future<Long> deleteExpired() {
    double seconds = config.retention().toMillis() / 1000.0;
    return ChunkedDelete.all(
            pool, LOCK_FOR_RETENTION, DELETE_EXPIRED, Tuple.of(seconds, DELETE_CHUNK), DELETE_CHUNK)
        .onSuccess(
            total -> {
              if (total > 0) {
                LOG.info("outbox retention removed {} published rows", total);
              }
            });
  }

  /**
   * Reads pending counts and oldest pending ages per tenant into the gauges; completes with the
   * counts.
   */
  public Future<Map<String, Long>> refreshPending() {
    return pool.query(PENDING_BY_TENANT)
        .execute()
        .map(
            rows -> {
              Map<String, Long> counts = new HashMap<>();
              Map<String, Long> oldest = new HashMap<>();
              rows.forEach(
                  row -> {
                    counts.put(row.getString("tenant_id"), row.getLong("pending"));
                    oldest.put(
                        row.getString("tenant_id"), Math.max(0, row.getLong("oldest_seconds")));
                  });
              metrics.pending(counts, oldest);
              return counts;
            });
  }
}
