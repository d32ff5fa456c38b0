package dev.soma.resilience.degradation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class OutcomeWindowTest {

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final OutcomeWindow window = new OutcomeWindow(Duration.ofSeconds(60), clock, 100, 3);

  @Test
  void countsCallsFailuresAndMeanLatencyInsideTheSpan() {
    window.record(true, 100, null, false);
    window.record(false, 300, "HTTP 503", false);

    WindowStats stats = window.stats();

    assertThat(stats.calls()).isEqualTo(2);
    assertThat(stats.failures()).isEqualTo(1);
    assertThat(stats.errorRate()).isEqualTo(0.5);
    assertThat(stats.meanLatencyMs()).isEqualTo(200);
    assertThat(stats.lastError()).isEqualTo("HTTP 503");
  }

  @Test
  void outcomesOlderThanTheSpanAgeOut() {
    window.record(false, 10, "refused", false);
    clock.advance(Duration.ofSeconds(61));
    window.record(true, 10, null, false);

    assertThat(window.stats().calls()).isEqualTo(1);
    assertThat(window.stats().failures()).isZero();
  }

  @Test
  void consecutiveFailuresSurviveTheSpanAndResetOnSuccess() {
    window.record(false, 10, "refused", true);
    window.record(false, 10, "refused", true);
    clock.advance(Duration.ofMinutes(10));

    assertThat(window.stats().consecutiveFailures()).isEqualTo(2);
    assertThat(window.stats().calls()).isZero();

    window.record(true, 10, null, true);
    assertThat(window.stats().consecutiveFailures()).isZero();
    assertThat(window.stats().lastError()).isNull();
  }

  @Test
  void keepsAtMostMaxSamples() {
    OutcomeWindow small = new OutcomeWindow(Duration.ofSeconds(60), clock, 3, 3);
    for (int i = 0; i < 5; i++) {
      small.record(i < 2 ? false : true, 10, "x", false);
    }

    assertThat(small.stats().calls()).isEqualTo(3);
    assertThat(small.stats().failures()).isZero();
  }

  @Test
  void remembersWhenRealTrafficLastReportedButNotProbes() {
    window.record(true, 10, null, true);
    assertThat(window.lastRealCallAt()).isEmpty();

    window.record(true, 10, null, false);
    assertThat(window.lastRealCallAt()).contains(clock.instant());
  }

  @Test
  void theEndOfAnOutageStartsTheWindowAfresh() {
    window.record(true, 10, null, true);
    for (int i = 0; i < 3; i++) {
      window.record(false, 10, "refused", true);
    }

    window.record(true, 10, null, true);

    assertThat(window.stats().calls()).isEqualTo(1);
    assertThat(window.stats().failures()).isZero();
  }

  @Test
  void failuresShorterThanAnOutageStayCounted() {
    window.record(false, 10, "HTTP 503", false);
    window.record(false, 10, "HTTP 503", false);

    window.record(true, 10, null, false);

    assertThat(window.stats().calls()).isEqualTo(3);
    assertThat(window.stats().failures()).isEqualTo(2);
  }
}
