package dev.soma.resilience.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The limiter of a process without Redis: the whole limit on each node, as before. */
class RateLimiterTest {

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final RateLimiter limiter = RateLimiter.local(new RateLimit(2, 3), clock);

  @Test
  void aTenantMayBurstThenWaitsForTheRefill() {
    assertThat(take("a")).isZero();
    assertThat(take("a")).isZero();
    assertThat(take("a")).isZero();

    assertThat(take("a")).isEqualTo(500);
  }

  @Test
  void tokensComeBackAtTheConfiguredRate() {
    for (int i = 0; i < 3; i++) {
      take("a");
    }
    clock.advance(Duration.ofMillis(500));

    assertThat(take("a")).isZero();
    assertThat(take("a")).isPositive();
  }

  @Test
  void tenantsHaveSeparateBuckets() {
    for (int i = 0; i < 3; i++) {
      take("noisy");
    }

    assertThat(take("noisy")).isPositive();
    assertThat(take("quiet")).isZero();
  }

  @Test
  void anIdleTenantRefillsOnlyUpToItsBurst() {
    clock.advance(Duration.ofHours(1));
    for (int i = 0; i < 3; i++) {
      assertThat(take("a")).isZero();
    }

    assertThat(take("a")).isPositive();
  }

  private long take(String tenant) {
    return limiter.tryAcquire(tenant).result(); // the local limiter answers at once
  }
}
