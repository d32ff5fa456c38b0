package dev.soma.resilience.failover.chain;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * One request's walk down a chain: on whose behalf ({@code tenant}, which also picks the tenant's
 * breakers), a {@code context} for log lines (a request id, a use case), and the hooks a chain may
 * need:
 *
 * <ul>
 *   <li>{@link #deadline}: no link is called once it passed, and each link is told the time left;
 *   <li>{@link #reachedCaller}: once it answers true (a stream's first token went out), a failure
 *       ends the walk as {@link ChainExhausted.Why#PARTIAL} instead of failing over;
 *   <li>{@link #sleeper}: when every configured link refused the call without being called, wait
 *       for the one that recovers soonest and try it once, if it recovers within {@link #maxWait}
 *       and before the deadline; otherwise the walk ends at once.
 * </ul>
 */
public record Walk(
    String tenant,
    String context,
    Optional<Long> deadline,
    BooleanSupplier reachedCaller,
    Optional<Function<Duration, Future<Void>>> sleeper,
    Optional<Duration> maxWait) {

  /** A walk with no hooks. */
  public static Walk of(String tenant, String context) {
    return new Walk(
        tenant, context, Optional.empty(), () -> false, Optional.empty(), Optional.empty());
  }

  /** No link is called after {@code epochMillis} (as the chain's clock tells time). */
  public Walk deadline(long epochMillis) {
    return new Walk(tenant, context, Optional.of(epochMillis), reachedCaller, sleeper, maxWait);
  }

  /** Failing over stops once {@code started} answers true. */
  public Walk reachedCaller(BooleanSupplier started) {
    return new Walk(tenant, context, deadline, started, sleeper, maxWait);
  }

  /**
   * Every link refused: wait with {@code sleep} (a timer) for the soonest, then try it; the wait is
   * bounded by the deadline only.
   */
  public Walk waitForSoonest(Function<Duration, Future<Void>> sleep) {
    return new Walk(tenant, context, deadline, reachedCaller, Optional.of(sleep), Optional.empty());
  }

  /**
   * Every link refused: wait with {@code sleep} (a timer) for the soonest, then try it, but only if
   * it recovers within {@code atMost} (and before the deadline); zero never waits.
   */
  public Walk waitForSoonest(Duration atMost, Function<Duration, Future<Void>> sleep) {
    return new Walk(
        tenant, context, deadline, reachedCaller, Optional.of(sleep), Optional.of(atMost));
  }
}
