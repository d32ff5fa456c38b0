package dev.soma.resilience.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RateLimitTest {

  @Test
  void aNodesShareIsTheRateAndBurstDividedByTheLiveNodes() {
    RateLimit share = new RateLimit(50, 100).share(4);

    assertThat(share.perSecond()).isEqualTo(12.5);
    assertThat(share.burst()).isEqualTo(25);
  }

  @Test
  void aShareAlwaysLetsOneRequestThrough() {
    assertThat(new RateLimit(1, 3).share(10).burst()).isEqualTo(1);
  }

  @Test
  void noLiveNodesCountsAsThisOneAlone() {
    assertThat(new RateLimit(5, 10).share(0)).isEqualTo(new RateLimit(5, 10));
  }

  @Test
  void aLimitOutOfRangeCannotBeBuilt() {
    assertThatThrownBy(() -> new RateLimit(0, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("perSecond must be greater than 0, but was 0.0");
    assertThatThrownBy(() -> new RateLimit(1, 0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("burst must be at least 1, but was 0.5");
  }
}
