package dev.soma.resilience.failover.storage.internal;

import dev.soma.resilience.failover.storage.ObjectKey;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The {@code upload_completions} table: one row per queued upload that a link stored, so a marker
 * left behind by a crash between the store and its deletion is not stored twice. Recording is
 * idempotent (a second row for the same upload id is ignored).
 */
final class UploadCompletions {

  static final String COMPLETED = "SELECT 1 FROM upload_completions WHERE upload_id = $1";
  static final String RECORD_COMPLETION =
      """
      INSERT INTO upload_completions (upload_id, tenant_id, object_key, provider, queued_at)
      VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (upload_id) DO NOTHING\
      """;

  private final Pool pool;

  UploadCompletions(Pool pool) {
    this.pool = pool;
  }

  /** Whether {@code uploadId} was stored already. */
  Future<Boolean> completed(String uploadId) {
    return pool.preparedQuery(COMPLETED).execute(Tuple.of(uploadId)).map(rows -> rows.size() > 0);
  }

  /** Records that {@code provider} stored {@code uploadId}, queued at {@code queuedAt}. */
  Future<Void> record(String uploadId, ObjectKey key, String provider, Instant queuedAt) {
    return pool.preparedQuery(RECORD_COMPLETION)
        .execute(
            Tuple.of(
                uploadId,
                key.tenantId(),
                key.key(),
                provider,
                OffsetDateTime.ofInstant(queuedAt, ZoneOffset.UTC)))
        .mapEmpty();
  }
}
