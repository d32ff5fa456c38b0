package dev.soma.resilience.memory;

import dev.soma.resilience.breaker.CallOutcome;
import dev.soma.resilience.breaker.CircuitBreakers;
import dev.soma.resilience.degradation.CallReporter;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * How {@link MemoryService} calls SomaBrain: through the tenant's {@value MemoryService#DEPENDENCY}
 * breaker, each real call reported to the degradation monitor. A refusal as the caller's fault
 * ({@link SomaBrainException#isCallerFault}) counts neither against the breaker nor against
 * SomaBrain's health: SomaBrain answered.
 */
record GuardedSomaBrain(CircuitBreakers breakers, CallReporter reporter) {

  /**
   * {@code call}'s answer, made for {@code tenant} if the breaker lets it through; else the
   * breaker's refusal, without calling.
   */
  <T> Future<T> call(String tenant, Supplier<Future<T>> call) {
    return breakers.call(
        MemoryService.DEPENDENCY,
        tenant,
        () ->
            reporter.timed(
                MemoryService.DEPENDENCY, tenant, call.get(), SomaBrainException::isCallerFault),
        ar -> ar.succeeded() ? CallOutcome.SUCCESS : SomaBrainException.outcomeOf(ar.cause()));
  }

  /** How long the dependency-wide breaker still refuses calls; zero when it lets them through. */
  Duration retryAfter() {
    return breakers.retryAfter(MemoryService.DEPENDENCY, CircuitBreakers.ALL_TENANTS);
  }
}
