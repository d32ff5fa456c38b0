package dev.soma.resilience.common;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.testing.LogCapture;
import dev.soma.resilience.testing.ManualClock;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

  @Test
  void aBackgroundRoundsFailuresGiveOneLineThenOneAMinuteWithTheCount() {
    Logger logger = LoggerFactory.getLogger(FailureLogTest.class);
    try (LogCapture lines = LogCapture.of(FailureLogTest.class)) {
      for (int round = 0; round <= 60; round++) { // two minutes
        log.warn(logger, "relay r1: claim failed", refused());
        clock.advance(Duration.ofSeconds(2));
      }

      assertThat(lines.messages())
          .containsExactly(
              "relay r1: claim failed: java.net.ConnectException: Connection refused:"
                  + " /127.0.0.1:5432 (the same again is counted, one line every 1 min)",
              "relay r1: claim failed: java.net.ConnectException: Connection refused:"
                  + " /127.0.0.1:5432 (29 more failed the same way since the last line)",
              "relay r1: claim failed: java.net.ConnectException: Connection refused:"
                  + " /127.0.0.1:5432 (29 more failed the same way since the last line)");
    }
  }

  private static ConnectException refused() {
    return new ConnectException("Connection refused: /127.0.0.1:5432");
  }
}
