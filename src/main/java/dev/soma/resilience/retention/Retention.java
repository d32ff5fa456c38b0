package dev.soma.resilience.retention;

import dev.soma.resilience.common.PeriodicVerticle;
import dev.soma.resilience.common.db.ChunkedDelete;
import dev.soma.resilience.config.RetentionConfig;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the tables that only record the past from growing without bound: every {@code interval}
 * (the housekeeping interval, {@code outbox.cleanupIntervalSeconds}) it deletes, in chunks, synced
 * memories, dead memories nobody can replay any more, resolved dead letters, upload completions and
 * operators' audit rows older than their {@link RetentionConfig} setting. Published outbox rows and
 * idempotency records have their own cleanups; conversation messages and tool results are business
 * data and are never deleted here.
 *
 * <p>Each statement selects a chunk in a subquery and repeats its conditions on the row it deletes,
 * so a row changed meanwhile (a synced memory enqueued again, a dead memory replayed) is re-checked
 * by PostgreSQL and kept. Idempotent: several nodes may run it at once.
 */
public final class Retention extends PeriodicVerticle {

  private static final Logger LOG = LoggerFactory.getLogger(Retention.class);

  static final int CHUNK = 5000;

  /** Memories SomaBrain took longer ago than $1 seconds; their partial index on synced_at. */
  static final String DELETE_SYNCED_MEMORIES =
      """
      DELETE FROM pending_memories
       WHERE id IN (SELECT id FROM pending_memories
                     WHERE status = 'synced' AND synced_at < now() - make_interval(secs => $1)
                     ORDER BY synced_at
                     LIMIT $2)
         AND status = 'synced' AND synced_at < now() - make_interval(secs => $1)\
      """;

  /**
   * Dead memories created over $1 seconds ago none of whose dead letters is unresolved (replay
   * needs the memory) or resolved within those $1 seconds.
   */
  static final String DELETE_DEAD_MEMORIES =
      """
      DELETE FROM pending_memories m
       WHERE m.id IN (SELECT p.id FROM pending_memories p
                       WHERE p.status = 'dead' AND p.created_at < now() - make_interval(secs => $1)
                         AND NOT EXISTS (SELECT 1 FROM dead_letter_messages d
                                          WHERE d.memory_id = p.id
                                            AND (NOT d.resolved
                                                 OR d.resolved_at >= now() - make_interval(secs => $1)))
                       ORDER BY p.id
                       LIMIT $2)
         AND m.status = 'dead'
         AND NOT EXISTS (SELECT 1 FROM dead_letter_messages d
                          WHERE d.memory_id = m.id
                            AND (NOT d.resolved OR d.resolved_at >= now() - make_interval(secs => $1)))\
      """;

  /** Dead letters replayed or resolved longer ago than $1 seconds. */
  static final String DELETE_RESOLVED_DEAD_LETTERS =
      """
      DELETE FROM dead_letter_messages
       WHERE id IN (SELECT id FROM dead_letter_messages
                     WHERE resolved AND resolved_at < now() - make_interval(secs => $1)
                     ORDER BY id
                     LIMIT $2)
         AND resolved\
      """;

  /** Uploads stored from the spool longer ago than $1 seconds. */
  static final String DELETE_UPLOAD_COMPLETIONS =
      """
      DELETE FROM upload_completions
       WHERE upload_id IN (SELECT upload_id FROM upload_completions
                            WHERE stored_at < now() - make_interval(secs => $1)
                            LIMIT $2)\
      """;

  /** Audit rows written longer ago than $1 seconds (oldest first: ids follow time). */
  static final String DELETE_ADMIN_AUDIT =
      """
      DELETE FROM admin_audit
       WHERE id IN (SELECT id FROM admin_audit
                     WHERE at < now() - make_interval(secs => $1)
                     ORDER BY id
                     LIMIT $2)\
      """;

  private final Pool pool;
  private final RetentionConfig config;

  public Retention(Pool pool, RetentionConfig config, Duration interval) {
    super(interval, "retention sweep");
    this.pool = pool;
    this.config = config;
  }

  @Override
  protected Future<?> round() {
    return sweep();
  }

  /**
   * Deletes every row past its retention, table after table; completes with the rows deleted per
   * kind ({@code synced memories}, {@code dead memories}, {@code resolved dead letters}, {@code
   * upload completions}, {@code admin audit}), or fails with the first statement that failed.
   */
  public Future<Map<String, Long>> sweep() {
    Map<String, Long> deleted = new LinkedHashMap<>();
    return delete(deleted, "synced memories", DELETE_SYNCED_MEMORIES, config.syncedMemories())
        .compose(v -> delete(deleted, "dead memories", DELETE_DEAD_MEMORIES, config.deadMemories()))
        .compose(
            v ->
                delete(
                    deleted,
                    "resolved dead letters",
                    DELETE_RESOLVED_DEAD_LETTERS,
                    config.resolvedDeadLetters()))
        .compose(
            v ->
                delete(
                    deleted,
                    "upload completions",
                    DELETE_UPLOAD_COMPLETIONS,
                    config.uploadCompletions()))
        .compose(v -> delete(deleted, "admin audit", DELETE_ADMIN_AUDIT, config.adminAudit()))
        .map(v -> deleted);
  }

  private Future<Void> delete(Map<String, Long> deleted, String kind, String sql, Duration age) {
    return ChunkedDelete.all(pool, sql, Tuple.of((double) age.toSeconds(), CHUNK), CHUNK)
        .map(
            count -> {
              deleted.put(kind, count);
              if (count > 0) {
                LOG.info("retention removed {} {} older than {}", count, kind, age);
              }
              return null;
            });
  }
}
