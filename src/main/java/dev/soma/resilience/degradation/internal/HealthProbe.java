package dev.soma.resilience.degradation.internal;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * A cheap check of one dependency: never a paid call (no LLM completion), never blocking. The
 * monitor applies its own timeout on top; a probe should still give up by itself soon after.
 */
public interface HealthProbe {

  /** Succeeds when the dependency is usable; fails with a short reason (no secrets) when not. */
  Future<Void> check();

  /** Releases the probe's clients. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }

  /** Creates the probe on the monitor's Vert.x when it starts (clients belong to it). */
  @FunctionalInterface
  interface Factory {
    HealthProbe create(Vertx vertx, Duration timeout);
  }
}
