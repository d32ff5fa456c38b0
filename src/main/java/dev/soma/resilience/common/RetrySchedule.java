package dev.soma.resilience.common;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter: the n-th retry waits a random time in {@code [d/2, d]}
 * where {@code d = min(max, initial * 2^(n-1))}. Half the delay is kept so that a retry never comes
 * back at once; the other half spreads retries of many rows apart.
 */
public final class RetrySchedule {

  private final long initialMillis;
  private final long maxMillis;
  private final DoubleSupplier random;

  public RetrySchedule(Duration initial, Duration max, DoubleSupplier random) {
    this.initialMillis = Math.max(1, initial.toMillis());
    this.maxMillis = Math.max(initialMillis, max.toMillis());
    this.random = random;
  }

  /** The delay before retry number {@code attempt} (1-based). */
  public Duration delay(int attempt) {
    int shift = Math.min(Math.max(attempt - 1, 0), 40);
    long ceiling = initialMillis << shift;
    if (ceiling <= 0 || ceiling > maxMillis) {
      ceiling = maxMillis;
    }
    long half = ceiling / 2;
    return Duration.ofMillis(half + (long) (random.getAsDouble() * (ceiling - half)));
  }
}
