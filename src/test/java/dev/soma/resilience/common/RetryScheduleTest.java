package dev.soma.resilience.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {

  private static final Duration INITIAL = Duration.ofMillis(500);
  private static final Duration MAX = Duration.ofSeconds(60);

  @Test
  void theFirstRetryWaitsBetweenHalfAndAllOfTheInitialDelay() {
    assertThat(new RetrySchedule(INITIAL, MAX, () -> 0.0).delay(1))
        .isEqualTo(Duration.ofMillis(250));
    assertThat(new RetrySchedule(INITIAL, MAX, () -> 0.5).delay(1))
        .isEqualTo(Duration.ofMillis(375));
    assertThat(new RetrySchedule(INITIAL, MAX, () -> 0.999).delay(1))
        .isBetween(Duration.ofMillis(499), Duration.ofMillis(500));
  }

  @Test
  void eachRetryDoublesTheCeiling() {
    RetrySchedule longest = new RetrySchedule(INITIAL, MAX, () -> 1.0);

    assertThat(longest.delay(1)).isEqualTo(Duration.ofMillis(500));
    assertThat(longest.delay(2)).isEqualTo(Duration.ofMillis(1000));
    assertThat(longest.delay(3)).isEqualTo(Duration.ofMillis(2000));
    assertThat(longest.delay(4)).isEqualTo(Duration.ofMillis(4000));
  }

  @Test
  void theDelayNeverExceedsTheMaximum() {
    RetrySchedule longest = new RetrySchedule(INITIAL, MAX, () -> 1.0);
    RetrySchedule shortest = new RetrySchedule(INITIAL, MAX, () -> 0.0);

    assertThat(longest.delay(8)).isEqualTo(MAX);
    assertThat(shortest.delay(8)).isEqualTo(MAX.dividedBy(2));
    assertThat(longest.delay(100)).isEqualTo(MAX);
  }

  @Test
  void aHugeAttemptNumberDoesNotOverflowPastTheMaximum() {
    RetrySchedule longest = new RetrySchedule(Duration.ofHours(1), Duration.ofDays(1), () -> 1.0);

    assertThat(longest.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofDays(1));
  }

  @Test
  void attemptZeroOrBelowIsTreatedAsTheFirstRetry() {
    RetrySchedule longest = new RetrySchedule(INITIAL, MAX, () -> 1.0);

    assertThat(longest.delay(0)).isEqualTo(INITIAL);
    assertThat(longest.delay(-3)).isEqualTo(INITIAL);
  }

  @Test
  void aMaximumBelowTheInitialDelayIsRaisedToIt() {
    RetrySchedule longest = new RetrySchedule(INITIAL, Duration.ofMillis(100), () -> 1.0);

    assertThat(longest.delay(5)).isEqualTo(INITIAL);
  }

  @Test
  void aZeroInitialDelayStillWaitsAtLeastOneMillisecondCeiling() {
    RetrySchedule longest = new RetrySchedule(Duration.ZERO, Duration.ZERO, () -> 1.0);

    assertThat(longest.delay(1)).isEqualTo(Duration.ofMillis(1));
  }
}
