package dev.soma.resilience.degradation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.breaker.BreakerId;
import dev.soma.resilience.breaker.BreakerOverride;
import dev.soma.resilience.breaker.OverridesApplied;
import dev.soma.resilience.degradation.DegradationLevel;
import dev.soma.resilience.degradation.HealthState;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorOverridesTest {

  private static final Assessment HEALTHY =
      new Assessment(HealthState.HEALTHY, DegradationLevel.NONE, "all calls succeed");

  private final OperatorOverrides overrides = new OperatorOverrides();

  @Test
  void aForcedOpenBreakerMakesItsDependencyUnavailableForTheOperatorsReason() {
    overrides.update(applied(BreakerId.of("llm.openai"), BreakerOverride.Mode.FORCED_OPEN));

    assertThat(overrides.apply("llm.openai", HEALTHY))
        .isEqualTo(
            new Assessment(
                HealthState.UNAVAILABLE,
                DegradationLevel.CRITICAL,
                "forced open by alice: provider incident 42"));
    assertThat(overrides.apply("redis", HEALTHY)).isEqualTo(HEALTHY);
  }

  @Test
  void aForcedClosedBreakerKeepsWhatTheCallsSayAndAddsItToTheReason() {
    overrides.update(applied(BreakerId.of("llm.openai"), BreakerOverride.Mode.FORCED_CLOSED));

    assertThat(overrides.apply("llm.openai", HEALTHY))
        .isEqualTo(
            new Assessment(
                HealthState.HEALTHY,
                DegradationLevel.NONE,
                "all calls succeed; breaker forced closed by alice: provider incident 42"));
  }

  @Test
  void aTenantsBreakerChangesNoStatusAndNoUpdate() {
    boolean changed =
        overrides.update(
            applied(new BreakerId("llm.openai", "acme"), BreakerOverride.Mode.FORCED_OPEN));

    assertThat(changed).isFalse();
    assertThat(overrides.apply("llm.openai", HEALTHY)).isEqualTo(HEALTHY);
  }

  @Test
  void anUpdateSaysWhetherTheSetChangedAndALiftedOverrideIsGone() {
    OverridesApplied open = applied(BreakerId.of("llm.openai"), BreakerOverride.Mode.FORCED_OPEN);

    assertThat(overrides.update(open)).isTrue();
    assertThat(overrides.update(open)).isFalse();
    assertThat(overrides.update(new OverridesApplied(Map.of()))).isTrue();
    assertThat(overrides.apply("llm.openai", HEALTHY)).isEqualTo(HEALTHY);
  }

  private static OverridesApplied applied(BreakerId id, BreakerOverride.Mode mode) {
    return new OverridesApplied(
        Map.of(
            id,
            new BreakerOverride(
                mode, "alice", "provider incident 42", Instant.parse("2026-12-01T10:00:00Z"))));
  }
}
