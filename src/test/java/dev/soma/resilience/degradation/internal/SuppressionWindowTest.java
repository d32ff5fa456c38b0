package dev.soma.resilience.degradation.internal;

import static dev.soma.resilience.degradation.DegradationLevel.CRITICAL;
import static dev.soma.resilience.degradation.DegradationLevel.MODERATE;
import static dev.soma.resilience.degradation.DegradationLevel.NONE;
import static dev.soma.resilience.degradation.DegradationLevel.SEVERE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.degradation.DegradationLevel;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SuppressionWindowTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final SuppressionWindow window = new SuppressionWindow(Duration.ofMinutes(5));

  private boolean writeIfAllowed(DegradationLevel level, Instant at) {
    boolean write = window.shouldWrite("somabrain", level, at);
    if (write) {
      window.written("somabrain", level, at);
    }
    return write;
  }

  @Test
  void aHealthyStartWritesNothing() {
    assertThat(window.shouldWrite("somabrain", NONE, T0)).isFalse();
  }

  @Test
  void theFirstDegradationIsWritten() {
    assertThat(writeIfAllowed(MODERATE, T0)).isTrue();
  }

  @Test
  void theSameLevelAgainWithinTheWindowIsSuppressed() {
    writeIfAllowed(MODERATE, T0);
    writeIfAllowed(NONE, T0.plusSeconds(10));

    assertThat(writeIfAllowed(MODERATE, T0.plusSeconds(20))).isFalse();
  }

  @Test
  void theSameLevelAgainAfterTheWindowIsWritten() {
    writeIfAllowed(MODERATE, T0);
    writeIfAllowed(NONE, T0.plusSeconds(10));

    assertThat(writeIfAllowed(MODERATE, T0.plus(Duration.ofMinutes(5)))).isTrue();
  }

  @Test
  void aRecoveryIsNeverSuppressed() {
    writeIfAllowed(SEVERE, T0);
    writeIfAllowed(NONE, T0.plusSeconds(1));
    writeIfAllowed(SEVERE, T0.plusSeconds(400));

    assertThat(writeIfAllowed(NONE, T0.plusSeconds(401))).isTrue();
  }

  @Test
  void aCriticalLevelIsNeverSuppressed() {
    writeIfAllowed(CRITICAL, T0);
    writeIfAllowed(NONE, T0.plusSeconds(1));

    assertThat(writeIfAllowed(CRITICAL, T0.plusSeconds(2))).isTrue();
  }

  @Test
  void aLevelEqualToTheLastWrittenOneIsNothingNew() {
    writeIfAllowed(SEVERE, T0);

    assertThat(window.shouldWrite("somabrain", SEVERE, T0.plus(Duration.ofHours(1)))).isFalse();
  }

  @Test
  void servicesAreJudgedSeparately() {
    writeIfAllowed(MODERATE, T0);
    writeIfAllowed(NONE, T0.plusSeconds(1));

    assertThat(window.shouldWrite("redis", MODERATE, T0.plusSeconds(2))).isTrue();
  }
}
