package dev.soma.resilience.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class VerdictTest {

  private static final FeatureFlag CANARY = FeatureFlag.LLM_CANARY_CHAIN;

  @Test
  void withoutARuleEveryTenantHasTheFlagsBuiltInDefault() {
    assertThat(Verdict.of(FeatureFlag.RELAY_TENANT_QUOTAS, Optional.empty(), "acme"))
        .satisfies(v -> assertThat(v.on()).isTrue())
        .satisfies(v -> assertThat(v.reason()).isEqualTo(Verdict.Reason.DEFAULT));
    assertThat(Verdict.of(FeatureFlag.MEMORY_QUEUE_FIRST, Optional.empty(), "acme").on()).isFalse();
  }

  @Test
  void theDenyListWinsOverTheAllowListAndThePercentage() {
    Verdict verdict = Verdict.of(CANARY, rule(List.of("acme"), List.of("acme"), 100), "acme");

    assertThat(verdict.on()).isFalse();
    assertThat(verdict.reason()).isEqualTo(Verdict.Reason.DENY_LIST);
  }

  @Test
  void theAllowListTurnsATenantOnAtZeroPercent() {
    Verdict verdict = Verdict.of(CANARY, rule(List.of("acme"), List.of(), 0), "acme");

    assertThat(verdict.on()).isTrue();
    assertThat(verdict.reason()).isEqualTo(Verdict.Reason.ALLOW_LIST);
    assertThat(Verdict.of(CANARY, rule(List.of("acme"), List.of(), 0), "other").on()).isFalse();
  }

  @Test
  void anUnlistedTenantIsOnExactlyWhenItsBucketIsBelowThePercentage() {
    // acme's bucket under llm.canary-chain is 66 (pinned in TenantBucketTest)
    assertThat(Verdict.of(CANARY, rule(List.of(), List.of(), 66), "acme").on()).isFalse();
    assertThat(Verdict.of(CANARY, rule(List.of(), List.of(), 67), "acme"))
        .satisfies(v -> assertThat(v.on()).isTrue())
        .satisfies(v -> assertThat(v.reason()).isEqualTo(Verdict.Reason.PERCENTAGE))
        .satisfies(v -> assertThat(v.bucket()).isEqualTo(66));
  }

  @Test
  void atHundredPercentEveryUnlistedTenantIsOnAndAtZeroNone() {
    assertThat(tenants().filter(t -> on(CANARY, 100, t))).hasSize(10_000);
    assertThat(tenants().filter(t -> on(CANARY, 0, t))).isEmpty();
  }

  @Test
  void aboutThePercentageOfTenThousandTenantsAreOn() {
    assertThat(tenants().filter(t -> on(CANARY, 10, t)).count()).isBetween(850L, 1150L);
    assertThat(tenants().filter(t -> on(CANARY, 50, t)).count()).isBetween(4700L, 5300L);
  }

  @Test
  void differentFlagsAtTheSamePercentagePickDifferentTenants() {
    List<String> canary = tenants().filter(t -> on(CANARY, 10, t)).toList();
    List<String> queueFirst =
        tenants().filter(t -> on(FeatureFlag.MEMORY_QUEUE_FIRST, 10, t)).toList();

    assertThat(canary).isNotEqualTo(queueFirst);
    assertThat(canary.stream().filter(queueFirst::contains).count())
        .as("independent picks share about 10% of 10%")
        .isLessThan(300);
  }

  @Test
  void aRuleRefusesBadTenantIdsAPercentageOutsideZeroToHundredAndTooLongLists() {
    assertThatThrownBy(() -> rule(List.of("Not Valid"), List.of(), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("allow must list tenant ids");
    assertThatThrownBy(() -> rule(List.of(), List.of(), 101))
        .hasMessage("percentage must be from 0 to 100, but was 101");
    List<String> tooMany = IntStream.rangeClosed(0, 1000).mapToObj(i -> "t" + i).toList();
    assertThatThrownBy(() -> rule(List.of(), tooMany, 0))
        .hasMessage("deny must list at most 1000 tenants, but lists 1001");
  }

  private static boolean on(FeatureFlag flag, int percentage, String tenant) {
    return Verdict.of(flag, rule(List.of(), List.of(), percentage), tenant).on();
  }

  private static java.util.stream.Stream<String> tenants() {
    return IntStream.range(0, 10_000).mapToObj(i -> "tenant-" + i);
  }

  private static Optional<FlagRule> rule(List<String> allow, List<String> deny, int percentage) {
    return Optional.of(
        new FlagRule(
            new TreeSet<>(allow), new TreeSet<>(deny), percentage, "alice", "", Instant.EPOCH));
  }
}
