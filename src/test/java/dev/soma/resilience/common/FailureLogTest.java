package dev.soma.resilience.common;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.testing.ManualClock;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FailureLogTest {

  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-06T10:00:00Z"));
  private final FailureLog log = new FailureLog(clock, Duration.ofMinutes(1));

  @Test
  void theFirstFailureOfACauseIsLoggedAndTheNextOnesInTheMinuteAreOnlyCounted() {
    assertThat(log.record(refused())).isEqualTo(new FailureLog.Verdict(true, true, 0));
    assertThat(log.record(refused()).log()).isFalse();
    assertThat(log.record(refused()).log()).isFalse();
  }

  @Test
  void aMinuteLaterOneLineCarriesTheCountOfTheUnloggedOnes() {
    log.record(refused());
    log.record(refused());
    log.record(refused());

    clock.advance(Duration.ofMinutes(1));

    assertThat(log.record(refused())).isEqualTo(new FailureLog.Verdict(true, false, 2));
    assertThat(log.record(refused()).log()).isFalse();
  }

  @Test
  void causesAreToldApartByTheInnermostExceptionNotTheWrapper() {
    log.record(new IllegalStateException("query failed", refused()));

    assertThat(log.record(new RuntimeException("other wrapper", refused())).log()).isFalse();
    assertThat(log.record(new IOException("disk full")).first()).isTrue();
  }

  private static ConnectException refused() {
    return new ConnectException("Connection refused: /127.0.0.1:5432");
  }
}
