package dev.soma.resilience.idempotency;

import dev.soma.resilience.common.PeriodicVerticle;
import dev.soma.resilience.common.db.ChunkedDelete;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;

/** Deletes expired idempotency records, in chunks, every {@code interval}. */
public final class IdempotencyCleanup extends PeriodicVerticle {

  static final int CHUNK = 5000;
  static final String DELETE_EXPIRED =
      """
      DELETE FROM idempotency_records
       WHERE ctid IN (SELECT ctid FROM idempotency_records WHERE expires_at < $2 LIMIT $1)\
      """;

  private final Pool pool;
  private final Clock clock;

  /** Deletes, every {@code interval}, the records that expired before {@code clock}'s now. */
  public IdempotencyCleanup(Pool pool, Duration interval, Clock clock) {
    super(interval, "idempotency cleanup");
    this.pool = pool;
    this.clock = clock;
  }

  @Override
  protected Future<?> round() {
    return deleteExpired();
  }

  /** Removes every expired record; completes with how many. */
  public Future<Long> deleteExpired() {
    return ChunkedDelete.all(
        pool, DELETE_EXPIRED, Tuple.of(CHUNK, OffsetDateTime.now(clock)), CHUNK);
  }
}
