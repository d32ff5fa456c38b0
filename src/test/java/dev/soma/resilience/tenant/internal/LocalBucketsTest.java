package dev.soma.resilience.tenant.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.tenant.RateLimit;
import dev.soma.resilience.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The buckets a node falls back on while Redis is down, at its share of the limit. */
class LocalBucketsTest {

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final LocalBuckets buckets = new LocalBuckets(clock);
  private final RateLimit limit = new RateLimit(2, 4);

  @Test
  void withTwoLiveNodesEachLetsHalfTheBurstThroughAndRefillsAtHalfTheRate() {
    RateLimit share = limit.share(2);

    assertThat(buckets.take("a", share)).isZero();
    assertThat(buckets.take("a", share)).isZero();
    assertThat(buckets.take("a", share)).isEqualTo(1000);

    clock.advance(Duration.ofSeconds(1));
    assertThat(buckets.take("a", share)).isZero();
    assertThat(buckets.take("a", share)).isPositive();
  }

  @Test
  void whenMoreNodesJoinABucketHoldsNoMoreThanTheSmallerShare() {
    assertThat(buckets.take("a", limit.share(1))).isZero(); // 3 of 4 left

    RateLimit quarter = limit.share(4);
    assertThat(buckets.take("a", quarter)).isZero();
    assertThat(buckets.take("a", quarter)).isPositive();
  }

  @Test
  void eachTenantHasItsOwnShare() {
    RateLimit share = limit.share(4);
    buckets.take("noisy", share);

    assertThat(buckets.take("noisy", share)).isPositive();
    assertThat(buckets.take("quiet", share)).isZero();
  }
}
