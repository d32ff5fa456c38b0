package dev.soma.resilience.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.config.OutboxConfig.TenantQuota;
import dev.soma.resilience.flags.FeatureFlag;
import dev.soma.resilience.flags.FlagBook;
import dev.soma.resilience.flags.FlagRule;
import dev.soma.resilience.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The relay's quota under {@code relay.tenant-quotas}: it paces only the tenants it is on for. */
class FlaggedTenantQuotasTest {

  private static final Duration WINDOW = Duration.ofSeconds(60);
  private static final int UNLIMITED = Integer.MAX_VALUE;

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final FlagBook flags = new FlagBook();
  private final TenantQuotas quotas =
      new TenantQuotas(new TenantQuota(true, 3, WINDOW), clock, flags, () -> 1);

  @Test
  void withoutARuleEveryTenantIsPacedAsBeforeFlags() {
    quotas.record(events("a", "a", "a"));

    assertThat(quotas.remaining()).isEqualTo(Map.of("a", 0));
    assertThat(quotas.defaultRemaining()).isEqualTo(3);
    assertThat(quotas.anyExhausted()).isTrue();
  }

  @Test
  void aDeniedTenantIsNeverPacedWhileTheOthersAre() {
    rule(List.of(), List.of("a"), 100);

    quotas.record(events("a", "a", "a", "a", "b", "b", "b"));

    assertThat(quotas.remaining()).isEqualTo(Map.of("a", UNLIMITED, "b", 0));
    assertThat(quotas.defaultRemaining()).isEqualTo(3);
  }

  @Test
  void withAnAllowListAloneOnlyTheListedTenantsHaveAQuota() {
    rule(List.of("a"), List.of(), 0);

    assertThat(quotas.remaining())
        .as("a is capped before its first claim")
        .isEqualTo(Map.of("a", 3));
    assertThat(quotas.defaultRemaining()).isEqualTo(UNLIMITED);

    quotas.record(events("a", "a", "a", "b", "b", "b", "b"));

    assertThat(quotas.remaining()).isEqualTo(Map.of("a", 0, "b", UNLIMITED));
    assertThat(quotas.anyExhausted()).isTrue();
  }

  @Test
  void aTenantTurnedOnMidWindowIsPacedByWhatItAlreadyClaimed() {
    rule(List.of(), List.of("a"), 100);
    quotas.record(events("a", "a", "a", "a"));
    assertThat(quotas.anyExhausted()).isFalse();

    flags.apply(Map.of());

    assertThat(quotas.remaining()).isEqualTo(Map.of("a", 0));
    assertThat(quotas.anyExhausted()).isTrue();
  }

  private void rule(List<String> allow, List<String> deny, int percentage) {
    flags.apply(
        Map.of(
            FeatureFlag.RELAY_TENANT_QUOTAS,
            new FlagRule(
                new TreeSet<>(allow),
                new TreeSet<>(deny),
                percentage,
                "alice",
                "",
                Instant.EPOCH)));
  }

  private static List<ClaimedEvent> events(String... tenants) {
    return TenantQuotasTest.events(tenants);
  }
}
