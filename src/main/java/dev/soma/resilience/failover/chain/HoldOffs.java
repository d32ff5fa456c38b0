package dev.soma.resilience.failover.chain;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Links that asked to be left alone, and until when. The rule: a failure that carries a Retry-After
 * (a 429 or a 503 that said how long, see {@link ProviderFailure#ofStatus}) holds its link off for
 * that long; no other failure holds a link off (its breakers decide). A later, longer ask extends
 * the hold-off; a shorter one never shortens it. Event-loop confined.
 */
final class HoldOffs {

  private final Clock clock;
  private final Map<String, Long> notBeforeMillis = new HashMap<>();

  HoldOffs(Clock clock) {
    this.clock = clock;
  }

  /** How long {@code link} is still held off; zero when it may be called. */
  Duration remaining(String link) {
    long until = notBeforeMillis.getOrDefault(link, 0L);
    return Duration.ofMillis(Math.max(0, until - clock.millis()));
  }

  /** Applies the rule to {@code failure} of {@code link}; answers the hold-off, zero if none. */
  Duration note(String link, ProviderFailure failure) {
    Duration wait = failure.retryAfter().orElse(Duration.ZERO);
    if (wait.isZero() || wait.isNegative()) {
      return Duration.ZERO;
    }
    notBeforeMillis.merge(link, clock.millis() + wait.toMillis(), Math::max);
    return wait;
  }
}
