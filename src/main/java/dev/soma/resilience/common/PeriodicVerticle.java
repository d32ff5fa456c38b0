package dev.soma.resilience.common;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A verticle that runs one {@link #round} every {@code interval} for as long as it is deployed, the
 * first at once. A round that fails is logged as a warning under the subclass's logger ({@code
 * "<what> failed: <cause>"}) and the next one runs on time; a round is not waited for, so rounds
 * must be harmless when they overlap.
 */
public abstract class PeriodicVerticle extends VerticleBase {

  private final Logger log = LoggerFactory.getLogger(getClass());
  private final Duration interval;
  private final String what;
  private long timer;

  /** Runs {@link #round} every {@code interval}; {@code what} names a round in the log. */
  protected PeriodicVerticle(Duration interval, String what) {
    this.interval = interval;
    this.what = what;
  }

  /** One round of the work. */
  protected abstract Future<?> round();

  @Override
  public Future<?> start() {
    timer =
        vertx.setPeriodic(
            1,
            interval.toMillis(),
            id -> round().onFailure(e -> log.warn("{} failed: {}", what, e.toString())));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }
}
