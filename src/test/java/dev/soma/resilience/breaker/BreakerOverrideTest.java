package dev.soma.resilience.breaker;

import static dev.soma.resilience.breaker.CallOutcome.DEPENDENCY_FAILURE;
import static dev.soma.resilience.breaker.CallOutcome.SUCCESS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.soma.resilience.testing.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BreakerOverrideTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final ManualClock clock = new ManualClock(T0);
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<CircuitBreaker.Transition> transitions = new ArrayList<>();
  private final BreakerPanel panel = new BreakerPanel();
  private final CircuitBreakers breakers =
      new CircuitBreakers(
          clock,
          new BreakerSettings(3, Duration.ofSeconds(60), 1),
          Map.of(),
          meters,
          transitions::add,
          panel);

  private static BreakerOverride forced(BreakerOverride.Mode mode) {
    return new BreakerOverride(mode, "alice", "provider incident 42", T0);
  }

  private void force(BreakerId id, BreakerOverride.Mode mode) {
    panel.apply(Map.of(id, forced(mode)));
  }

  @Test
  void aForcedOpenBreakerRefusesEveryCallSayingAnOperatorForcedIt() {
    breakers.watch("llm");
    force(BreakerId.of("llm"), BreakerOverride.Mode.FORCED_OPEN);

    assertThat(breakers.state("llm", "t1")).isEqualTo(CircuitState.OPEN);
    assertThatThrownBy(() -> breakers.acquire("llm", "t1"))
        .isInstanceOfSatisfying(
            OpenCircuitException.class,
            e -> {
              assertThat(e.getMessage()).contains("forced open by alice: provider incident 42");
              assertThat(e.forcedBy()).contains(forced(BreakerOverride.Mode.FORCED_OPEN));
              assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(60));
            });
  }

  @Test
  void aForcedOpenBreakerStaysOpenPastItsResetTimeoutAndIsNeverProbed() {
    breakers.watch("llm");
    force(BreakerId.of("llm"), BreakerOverride.Mode.FORCED_OPEN);

    clock.advance(Duration.ofMinutes(10));

    assertThat(breakers.state("llm", "t1")).isEqualTo(CircuitState.OPEN);
    assertThat(breakers.probe("llm")).isEmpty();
    assertThatThrownBy(() -> breakers.acquire("llm", "t1"))
        .isInstanceOf(OpenCircuitException.class);
  }

  @Test
  void aForcedClosedBreakerLetsEveryCallThroughAndNeverOpens() {
    breakers.watch("llm");
    force(BreakerId.of("llm"), BreakerOverride.Mode.FORCED_CLOSED);

    for (int i = 0; i < 10; i++) {
      breakers.record(breakers.acquire("llm", "t1"), DEPENDENCY_FAILURE);
    }

    assertThat(breakers.state("llm", "t1")).isEqualTo(CircuitState.CLOSED);
    BreakerView view = breakers.view(BreakerId.of("llm"));
    assertThat(view.consecutiveFailures()).as("still counted, for operators").isEqualTo(10);
    assertThat(view.lastFailure()).contains(T0);
    assertThat(view.override()).contains(forced(BreakerOverride.Mode.FORCED_CLOSED));
  }

  @Test
  void forcingClosedAnOpenBreakerLetsCallsThroughAtOnce() {
    fail("llm", 3);
    assertThat(breakers.state("llm", "t1")).isEqualTo(CircuitState.OPEN);

    force(BreakerId.of("llm"), BreakerOverride.Mode.FORCED_CLOSED);

    breakers.record(breakers.acquire("llm", "t1"), SUCCESS);
    assertThat(breakers.state("llm", "t1")).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void releasedTheBreakerStartsAfreshClosedWithNothingCountedAndCountsAgain() {
    breakers.watch("llm");
    force(BreakerId.of("llm"), BreakerOverride.Mode.FORCED_OPEN);

    panel.apply(Map.of());

    assertThat(breakers.state("llm", "t1")).isEqualTo(CircuitState.CLOSED);
    assertThat(breakers.view(BreakerId.of("llm")).override()).isEmpty();
    fail("llm", 3);
    assertThat(breakers.state("llm", "t1")).isEqualTo(CircuitState.OPEN);
  }

  @Test
  void aCallThatStartedBeforeTheOverrideCannotChangeTheBreakerAfterIt() {
    breakers.watch("llm");
    fail("llm", 2);
    CircuitBreakers.Guard before = breakers.acquire("llm", "t1");
    force(BreakerId.of("llm"), BreakerOverride.Mode.FORCED_CLOSED);
    panel.apply(Map.of());

    breakers.record(before, DEPENDENCY_FAILURE);

    assertThat(breakers.view(BreakerId.of("llm")).consecutiveFailures()).isZero();
  }

  @Test
  void aTenantsForcedBreakerRefusesOnlyThatTenant() {
    breakers.watch("llm");
    force(new BreakerId("llm", "t1"), BreakerOverride.Mode.FORCED_OPEN);

    assertThatThrownBy(() -> breakers.acquire("llm", "t1"))
        .isInstanceOf(OpenCircuitException.class);
    breakers.record(breakers.acquire("llm", "t2"), SUCCESS);
    assertThat(breakers.state("llm", CircuitBreakers.ALL_TENANTS)).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void anOverrideForATenantOfAKnownDependencyMakesItsBreakerAndShowsOnTheGauges() {
    breakers.watch("llm");

    force(new BreakerId("llm", "t9"), BreakerOverride.Mode.FORCED_OPEN);

    assertThat(panel.breakers())
        .extracting(BreakerView::id)
        .containsExactly(BreakerId.of("llm"), new BreakerId("llm", "t9"));
    assertThat(gauge("circuit.state", "t9")).isEqualTo(2.0);
    assertThat(gauge("circuit.forced", "t9")).isEqualTo(1.0);
    assertThat(gauge("circuit.forced", CircuitBreakers.ALL_TENANTS)).isZero();
  }

  @Test
  void aBreakerMadeAfterTheOverrideWasAppliedStartsUnderIt() {
    force(BreakerId.of("somabrain"), BreakerOverride.Mode.FORCED_OPEN);
    assertThat(panel.knows("somabrain")).as("not known here yet").isFalse();

    breakers.watch("somabrain");

    assertThat(breakers.state("somabrain", "t1")).isEqualTo(CircuitState.OPEN);
    assertThat(gauge("circuit.forced", CircuitBreakers.ALL_TENANTS, "somabrain")).isEqualTo(1.0);
  }

  @Test
  void theChangeIsReportedWithItsOverrideAndApplyingTheSameSetAgainChangesNothing() {
    breakers.watch("llm");
    force(BreakerId.of("llm"), BreakerOverride.Mode.FORCED_OPEN);
    force(BreakerId.of("llm"), BreakerOverride.Mode.FORCED_OPEN);

    assertThat(transitions)
        .containsExactly(
            new CircuitBreaker.Transition(
                "llm",
                CircuitBreakers.ALL_TENANTS,
                CircuitState.CLOSED,
                CircuitState.OPEN,
                Optional.of(forced(BreakerOverride.Mode.FORCED_OPEN))));
  }

  private void fail(String dependency, int times) {
    for (int i = 0; i < times; i++) {
      breakers.record(breakers.acquire(dependency, "t1"), DEPENDENCY_FAILURE);
    }
  }

  private double gauge(String name, String tenant) {
    return gauge(name, tenant, "llm");
  }

  private double gauge(String name, String tenant, String service) {
    return meters.get(name).tag("service", service).tag("tenant", tenant).gauge().value();
  }
}
