package dev.soma.resilience.tenant.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RedisOutageTest {

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final RedisOutage outage = new RedisOutage(clock, Duration.ofSeconds(1));

  @Test
  void everyRequestAsksRedisWhileItAnswers() {
    assertThat(outage.mayAsk()).isTrue();
    assertThat(outage.mayAsk()).isTrue();
    assertThat(outage.ongoing()).isFalse();
  }

  @Test
  void duringAnOutageOneRequestPerIntervalAsksRedis() {
    outage.failed();

    assertThat(outage.mayAsk()).isFalse();
    clock.advance(Duration.ofMillis(999));
    assertThat(outage.mayAsk()).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(outage.mayAsk()).as("the one that asks").isTrue();
    assertThat(outage.mayAsk()).as("the next one, in the same interval").isFalse();
    outage.failed(); // that one's answer did not come either

    clock.advance(Duration.ofSeconds(1));
    assertThat(outage.mayAsk()).isTrue();
  }

  @Test
  void anOutageBeginsAndEndsOnceHoweverManyRequestsSeeIt() {
    assertThat(outage.failed()).isTrue();
    assertThat(outage.failed()).isFalse();
    assertThat(outage.ongoing()).isTrue();

    assertThat(outage.answered()).isTrue();
    assertThat(outage.answered()).isFalse();
    assertThat(outage.ongoing()).isFalse();
    assertThat(outage.mayAsk()).isTrue();
  }
}
