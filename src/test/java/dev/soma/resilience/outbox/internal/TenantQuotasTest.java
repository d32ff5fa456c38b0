package dev.soma.resilience.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.config.OutboxConfig.TenantQuota;
import dev.soma.resilience.flags.FlagBook;
import dev.soma.resilience.testing.ManualClock;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TenantQuotasTest {

  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration WINDOW = Duration.ofSeconds(60);

  private final ManualClock clock = new ManualClock(START);
  private final TenantQuotas quotas = new TenantQuotas(new TenantQuota(true, 3, WINDOW), clock);

  @Test
  void aTenantThatClaimedNothingMayClaimItsWholeQuota() {
    assertThat(quotas.remaining()).isEmpty();
    assertThat(quotas.defaultRemaining()).isEqualTo(3);
    assertThat(quotas.anyExhausted()).isFalse();
  }

  @Test
  void claimedEventsCountAgainstTheirOwnTenantOnly() {
    quotas.record(events("a", "a", "b"));

    assertThat(quotas.remaining()).isEqualTo(Map.of("a", 1, "b", 2));
    assertThat(quotas.anyExhausted()).isFalse();
  }

  @Test
  void aTenantOverItsQuotaHasNoneRemainingUntilTheWindowTurns() {
    quotas.record(events("a", "a"));
    quotas.record(events("a", "a"));

    assertThat(quotas.remaining()).containsEntry("a", 0);
    assertThat(quotas.anyExhausted()).isTrue();

    clock.advance(WINDOW.minusMillis(1));
    assertThat(quotas.remaining()).containsEntry("a", 0);
    assertThat(quotas.millisToNextWindow()).isEqualTo(1);

    clock.advance(Duration.ofMillis(1));
    assertThat(quotas.remaining()).isEmpty();
    assertThat(quotas.anyExhausted()).isFalse();
    assertThat(quotas.millisToNextWindow()).isEqualTo(WINDOW.toMillis());
  }

  @Test
  void anExhaustedTenantIsNoLongerReportedExhaustedOnceTheWindowHasTurned() {
    quotas.record(events("a", "a", "a"));
    assertThat(quotas.anyExhausted()).isTrue();

    clock.advance(WINDOW);

    assertThat(quotas.anyExhausted()).isFalse();
  }

  @Test
  void theTimeToTheNextWindowCountsDownWithTheClock() {
    clock.advance(Duration.ofSeconds(45));

    assertThat(quotas.millisToNextWindow()).isEqualTo(15_000);
  }

  @Test
  void aDisabledQuotaNeverLimitsAnyTenant() {
    TenantQuotas disabled = new TenantQuotas(new TenantQuota(false, 3, WINDOW), clock);

    disabled.record(events("a", "a", "a", "a", "a", "a", "a"));

    assertThat(disabled.remaining()).isEmpty();
    assertThat(disabled.defaultRemaining()).isEqualTo(Integer.MAX_VALUE);
    assertThat(disabled.anyExhausted()).isFalse();
  }

  static List<ClaimedEvent> events(String... tenants) {
    List<ClaimedEvent> events = new ArrayList<>();
    for (int i = 0; i < tenants.length; i++) {
      events.add(
          new ClaimedEvent(
              i + 1,
              tenants[i],
              "key-" + i,
              "topic",
              null,
              "{}",
              new JsonObject(),
              0,
              5,
              OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC)));
    }
    return events;
  }

  @Test
  void relaysSharingTheQuotaEachTakeAnEqualShareRoundedUp() {
    TenantQuotas shared =
        new TenantQuotas(new TenantQuota(true, 10, WINDOW), clock, new FlagBook(), () -> 3);

    assertThat(shared.defaultRemaining()).isEqualTo(4);
    shared.record(events("t1", "t1", "t1", "t1"));
    assertThat(shared.remaining()).containsEntry("t1", 0);
    assertThat(shared.anyExhausted()).isTrue();
  }

  @Test
  void aShareIsNeverBelowOneEventAWindow() {
    TenantQuotas shared =
        new TenantQuotas(new TenantQuota(true, 2, WINDOW), clock, new FlagBook(), () -> 5);

    assertThat(shared.defaultRemaining()).isEqualTo(1);
  }
}
