package dev.soma.resilience.degradation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.config.DegradationConfig.Thresholds;
import dev.soma.resilience.degradation.DegradationLevel;
import dev.soma.resilience.degradation.HealthState;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LevelPolicyTest {

  /** The seeds' thresholds: latency 5/10/15 s, error rate 10 %/20 %. */
  static final Thresholds SEEDS =
      new Thresholds(
          5, 2, Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(15), 0.1, 0.2);

  private final LevelPolicy policy = new LevelPolicy(SEEDS);

  private Assessment assess(int calls, int failures, int consecutive, long latencyMs) {
    return policy.assess(
        new WindowStats(
            calls,
            failures,
            consecutive,
            latencyMs,
            consecutive > 0 ? "connection refused" : null));
  }

  @Test
  void nothingObservedIsUnknownAtLevelNone() {
    Assessment a = policy.assess(WindowStats.EMPTY);

    assertThat(a.state()).isEqualTo(HealthState.UNKNOWN);
    assertThat(a.level()).isEqualTo(DegradationLevel.NONE);
  }

  @Test
  void fastSuccessfulCallsAreHealthy() {
    Assessment a = assess(20, 0, 0, 120);

    assertThat(a.state()).isEqualTo(HealthState.HEALTHY);
    assertThat(a.level()).isEqualTo(DegradationLevel.NONE);
  }

  @Test
  void consecutiveFailuresAtTheThresholdMakeItUnavailableAndCritical() {
    Assessment a = assess(2, 2, 2, 3);

    assertThat(a.state()).isEqualTo(HealthState.UNAVAILABLE);
    assertThat(a.level()).isEqualTo(DegradationLevel.CRITICAL);
    assertThat(a.reason()).isEqualTo("2 consecutive failure(s): connection refused");
  }

  @Test
  void oneFailureBelowTheThresholdIsNotAnOutage() {
    assertThat(assess(3, 1, 1, 3).state()).isNotEqualTo(HealthState.UNAVAILABLE);
  }

  @Test
  void latencyAtFiveTenAndFifteenSecondsIsMinorModerateAndSevere() {
    assertThat(assess(10, 0, 0, 4_999).level()).isEqualTo(DegradationLevel.NONE);
    assertThat(assess(10, 0, 0, 5_000).level()).isEqualTo(DegradationLevel.MINOR);
    assertThat(assess(10, 0, 0, 10_000).level()).isEqualTo(DegradationLevel.MODERATE);
    assertThat(assess(10, 0, 0, 15_000).level()).isEqualTo(DegradationLevel.SEVERE);
    assertThat(assess(10, 0, 0, 15_000).state()).isEqualTo(HealthState.DEGRADED);
  }

  @Test
  void errorRateAtTenAndTwentyPercentIsModerateAndSevere() {
    assertThat(assess(100, 9, 0, 10).level()).isEqualTo(DegradationLevel.NONE);
    assertThat(assess(100, 10, 0, 10).level()).isEqualTo(DegradationLevel.MODERATE);
    assertThat(assess(100, 20, 0, 10).level()).isEqualTo(DegradationLevel.SEVERE);
    assertThat(assess(100, 20, 0, 10).reason()).isEqualTo("error rate 20% (20 of 100)");
  }

  @Test
  void theErrorRateCountsOnlyOnceTheWindowHoldsMinCalls() {
    assertThat(assess(4, 1, 0, 10).level()).isEqualTo(DegradationLevel.NONE);
    assertThat(assess(5, 1, 0, 10).level()).isEqualTo(DegradationLevel.SEVERE);
  }

  @Test
  void theWorseOfLatencyAndErrorRateWins() {
    Assessment a = assess(10, 1, 0, 15_000);

    assertThat(a.level()).isEqualTo(DegradationLevel.SEVERE);
    assertThat(a.reason()).isEqualTo("error rate 10% (1 of 10); mean latency 15000 ms");
  }
}
