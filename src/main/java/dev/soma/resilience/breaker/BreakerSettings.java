package dev.soma.resilience.breaker;

import java.time.Duration;

/**
 * When a breaker opens and how it probes its way back.
 *
 * @param failureThreshold consecutive counted failures that open the breaker (seeds: 3)
 * @param resetTimeout how long it stays open before letting trial calls through (seeds: 60 s)
 * @param halfOpenTrials trial calls allowed at once while half-open
 */
public record BreakerSettings(int failureThreshold, Duration resetTimeout, int halfOpenTrials) {

  /** The seeds' defaults: 3 failures, 60 s, one trial call. */
  public static final BreakerSettings DEFAULTS = new BreakerSettings(3, Duration.ofSeconds(60), 1);

  public BreakerSettings {
    if (failureThreshold < 1) {
      throw new IllegalArgumentException(
          "failureThreshold must be at least 1, but was " + failureThreshold);
    }
    if (resetTimeout == null || resetTimeout.isNegative() || resetTimeout.isZero()) {
      throw new IllegalArgumentException("resetTimeout must be positive, but was " + resetTimeout);
    }
    if (halfOpenTrials < 1) {
      throw new IllegalArgumentException(
          "halfOpenTrials must be at least 1, but was " + halfOpenTrials);
    }
  }
}
