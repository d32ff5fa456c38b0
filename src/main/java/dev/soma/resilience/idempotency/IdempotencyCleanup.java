package dev.soma.resilience.idempotency;

import dev.soma.resilience.common.db.ChunkedDelete;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Deletes expired idempotency records, in chunks, every {@code interval}. */
public final class IdempotencyCleanup extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(IdempotencyCleanup.class);

  static final int CHUNK = 5000;
  static final String DELETE_EXPIRED =
      """
      DELETE FROM idempotency_records
       WHERE ctid IN (SELECT ctid FROM idempotency_records WHERE expires_at < $2 LIMIT $1)\
      """;

  private final Pool pool;
  private final Duration interval;
  private final Clock clock;
  private long timer;

  /** Deletes, every {@code interval}, the records that expired before {@code clock}'s now. */
  public IdempotencyCleanup(Pool pool, Duration interval, Clock clock) {
    this.pool = pool;
    this.interval = interval;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    timer =
        vertx.setPeriodic(
            1,
            interval.toMillis(),
            id ->
                deleteExpired()
                    .onFailure(e -> LOG.warn("idempotency cleanup failed: {}", e.toString())));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  /** Removes every expired record; completes with how many. */
  public Future<Long> deleteExpired() {
    return ChunkedDelete.all(
        pool, DELETE_EXPIRED, Tuple.of(CHUNK, OffsetDateTime.now(clock)), CHUNK);
  }
}
