package dev.soma.resilience.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final RateLimiter limiter = new RateLimiter(2, 3, clock);

  @Test
  void aTenantMayBurstThenWaitsForTheRefill() {
    assertThat(limiter.tryAcquire("a")).isZero();
    assertThat(limiter.tryAcquire("a")).isZero();
    assertThat(limiter.tryAcquire("a")).isZero();

    assertThat(limiter.tryAcquire("a")).isEqualTo(500);
  }

  @Test
  void tokensComeBackAtTheConfiguredRate() {
    for (int i = 0; i < 3; i++) {
      limiter.tryAcquire("a");
    }
    clock.advance(Duration.ofMillis(500));

    assertThat(limiter.tryAcquire("a")).isZero();
    assertThat(limiter.tryAcquire("a")).isPositive();
  }

  @Test
  void tenantsHaveSeparateBuckets() {
    for (int i = 0; i < 3; i++) {
      limiter.tryAcquire("noisy");
    }

    assertThat(limiter.tryAcquire("noisy")).isPositive();
    assertThat(limiter.tryAcquire("quiet")).isZero();
  }

  @Test
  void anIdleTenantRefillsOnlyUpToItsBurst() {
    clock.advance(Duration.ofHours(1));
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.tryAcquire("a")).isZero();
    }

    assertThat(limiter.tryAcquire("a")).isPositive();
  }
}
