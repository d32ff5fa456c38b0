package dev.soma.resilience.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReplayPaceTest {

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final AtomicInteger relays = new AtomicInteger(1);
  private final ReplayPace pace = new ReplayPace(500, relays::get, clock);

  @Test
  void aFreshRelayMayReleaseOneSecondOfThePace() {
    assertThat(pace.available()).isEqualTo(500);
  }

  @Test
  void releasedRowsUseThePaceUpAndTimeGivesItBack() {
    pace.spent(500);
    assertThat(pace.available()).isZero();

    clock.advance(Duration.ofMillis(200));
    assertThat(pace.available()).isEqualTo(100);
  }

  @Test
  void aLongPauseNeverAllowsMoreThanOneSecondAtOnce() {
    pace.spent(500);
    clock.advance(Duration.ofMinutes(10));

    assertThat(pace.available())
        .as("rows that fell due meanwhile go out at the pace")
        .isEqualTo(500);
  }

  @Test
  void theRelaysOfAClusterShareThePaceEqually() {
    pace.spent(500);
    relays.set(4);
    clock.advance(Duration.ofSeconds(1));

    assertThat(pace.available()).isEqualTo(125);
  }

  @Test
  void aPaceBelowTheRelayCountStillReleasesARowASecond() {
    ReplayPace slow = new ReplayPace(1, () -> 3, clock);
    slow.spent(1);
    clock.advance(Duration.ofSeconds(1));

    assertThat(slow.available()).isEqualTo(1);
  }
}
