package dev.soma.resilience.failover.chain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));

  @Test
  void readsDeltaSeconds() {
    assertThat(RetryAfter.parse(" 120 ", clock)).contains(Duration.ofSeconds(120));
  }

  @Test
  void readsAnHttpDateAsTheWaitUntilThen() {
    assertThat(RetryAfter.parse("Thu, 01 Jan 2026 00:00:30 GMT", clock))
        .contains(Duration.ofSeconds(30));
  }

  @Test
  void aDateInThePastIsNoWait() {
    assertThat(RetryAfter.parse("Wed, 31 Dec 2025 23:59:00 GMT", clock)).contains(Duration.ZERO);
  }

  @Test
  void absentOrUnreadableIsNoAnswer() {
    assertThat(RetryAfter.parse(null, clock)).isEmpty();
    assertThat(RetryAfter.parse("soon", clock)).isEmpty();
    assertThat(RetryAfter.parse("-5", clock)).isEmpty();
  }

  @Test
  void openAisMillisecondsWinOverTheStandardHeader() {
    Map<String, String> headers = Map.of("retry-after-ms", "1500", "retry-after", "9");

    assertThat(RetryAfter.from(headers::get, clock)).contains(Duration.ofMillis(1500));
    assertThat(RetryAfter.from(Map.of("retry-after", "9")::get, clock))
        .contains(Duration.ofSeconds(9));
  }

  @Test
  void theStatusTableKeepsARetryAfterOn429And503Only() {
    Optional<Duration> wait = Optional.of(Duration.ofSeconds(5));

    assertThat(ProviderFailure.ofStatus(429, "x", wait).retryAfter()).isEqualTo(wait);
    assertThat(ProviderFailure.ofStatus(503, "x", wait).retryAfter()).isEqualTo(wait);
    assertThat(ProviderFailure.ofStatus(500, "x", wait).retryAfter()).isEmpty();
    assertThat(ProviderFailure.ofStatus(502, "x", wait).retryAfter()).isEmpty();
  }
}
