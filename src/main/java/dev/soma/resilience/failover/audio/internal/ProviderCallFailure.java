package dev.soma.resilience.failover.audio.internal;

import dev.soma.resilience.failover.breaker.CallOutcome;
import java.time.Duration;

/**
 * A provider answered, but not with something usable: how it counts ({@link CallOutcome}), the HTTP
 * status (0 when the body was the problem), and how long the provider asked us to wait (429 with
 * {@code Retry-After}). Stackless: it is flow control during an outage.
 */
public final class ProviderCallFailure extends RuntimeException {

  private final CallOutcome outcome;
  private final int status;
  private final Duration retryAfter;

  public ProviderCallFailure(CallOutcome outcome, int status, Duration retryAfter, String message) {
    super(message, null, false, false);
    this.outcome = outcome;
    this.status = status;
    this.retryAfter = retryAfter;
  }

  /** A 2xx answer whose body is not what the wire format promises. */
  public static ProviderCallFailure malformed(String provider, String what) {
    return new ProviderCallFailure(
        CallOutcome.DEPENDENCY_FAILURE,
        0,
        Duration.ZERO,
        provider + " answered malformed: " + what);
  }

  public CallOutcome outcome() {
    return outcome;
  }

  public int status() {
    return status;
  }

  /** How long the provider asked not to be called; zero when it did not say. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
