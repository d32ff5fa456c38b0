package dev.soma.resilience.breaker;

import static dev.soma.resilience.breaker.CallOutcome.CALLER_FAULT;
import static dev.soma.resilience.breaker.CallOutcome.DEPENDENCY_FAILURE;
import static dev.soma.resilience.breaker.CallOutcome.SUCCESS;
import static dev.soma.resilience.breaker.CallOutcome.TENANT_FAILURE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.soma.resilience.testing.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CircuitBreakersTest {

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<CircuitBreaker.Transition> transitions = new ArrayList<>();
  private final CircuitBreakers breakers =
      new CircuitBreakers(
          clock,
          new BreakerSettings(3, Duration.ofSeconds(60), 1),
          Map.of("generous", new BreakerSettings(5, Duration.ofSeconds(10), 2)),
          meters,
          transitions::add,
          new BreakerPanel());

  @Test
  void opensAfterThreeConsecutiveFailures() {
    fail("llm", "t1", DEPENDENCY_FAILURE, 2);
    assertThat(breakers.state("llm", "t1")).isEqualTo(CircuitState.CLOSED);

    fail("llm", "t1", DEPENDENCY_FAILURE, 1);

    assertThat(breakers.state("llm", "t1")).isEqualTo(CircuitState.OPEN);
    assertThatThrownBy(() -> breakers.acquire("llm", "t1"))
        .isInstanceOf(OpenCircuitException.class);
  }

  @Test
  void aSuccessBetweenFailuresStartsTheCountAgain() {
    fail("llm", "t1", DEPENDENCY_FAILURE, 2);
    breakers.record(breakers.acquire("llm", "t1"), SUCCESS);
    fail("llm", "t1", DEPENDENCY_FAILURE, 2);

    assertThat(breakers.state("llm", "t1")).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void anOpenBreakerSaysWhenItWillTryAgain() {
    fail("llm", "t1", DEPENDENCY_FAILURE, 3);
    clock.advance(Duration.ofSeconds(45));

    assertThat(breakers.retryAfter("llm", "t1")).isEqualTo(Duration.ofSeconds(15));
    assertThatThrownBy(() -> breakers.acquire("llm", "t1"))
        .isInstanceOfSatisfying(
            OpenCircuitException.class,
            e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(15)));
  }

  @Test
  void afterTheResetTimeoutOneTrialCallPassesAndItsSuccessCloses() {
    fail("llm", "t1", DEPENDENCY_FAILURE, 3);
    clock.advance(Duration.ofSeconds(60));

    CircuitBreakers.Guard trial = breakers.acquire("llm", "t1");
    assertThat(breakers.state("llm", "t1")).isEqualTo(CircuitState.HALF_OPEN);
    assertThatThrownBy(() -> breakers.acquire("llm", "t2"))
        .as("the one trial slot is taken")
        .isInstanceOf(OpenCircuitException.class);
    breakers.record(trial, SUCCESS);

    assertThat(breakers.state("llm", "t1")).isEqualTo(CircuitState.CLOSED);
    assertThat(breakers.state("llm", "t2")).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void aFailedTrialOpensTheBreakerForAnotherResetTimeout() {
    fail("llm", "t1", DEPENDENCY_FAILURE, 3);
    clock.advance(Duration.ofSeconds(60));

    breakers.record(breakers.acquire("llm", "t1"), DEPENDENCY_FAILURE);

    assertThat(breakers.state("llm", "t1")).isEqualTo(CircuitState.OPEN);
    assertThat(breakers.retryAfter("llm", "t1")).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void aLateSuccessOfACallStartedBeforeTheBreakerOpenedDoesNotCloseIt() {
    CircuitBreakers.Guard slow = breakers.acquire("llm", "t1");
    fail("llm", "t1", DEPENDENCY_FAILURE, 3);

    breakers.record(slow, SUCCESS);

    assertThat(breakers.state("llm", "t1")).isEqualTo(CircuitState.OPEN);
  }

  @Test
  void aLateSuccessOfACallStartedBeforeHalfOpenDoesNotCloseIt() {
    CircuitBreakers.Guard slow = breakers.acquire("llm", "t1");
    fail("llm", "t1", DEPENDENCY_FAILURE, 3);
    clock.advance(Duration.ofSeconds(60));
    CircuitBreakers.Guard trial = breakers.acquire("llm", "t1");

    breakers.record(slow, SUCCESS);

    assertThat(breakers.state("llm", "t1")).isEqualTo(CircuitState.HALF_OPEN);
    breakers.record(trial, DEPENDENCY_FAILURE);
    assertThat(breakers.state("llm", "t1")).isEqualTo(CircuitState.OPEN);
  }

  @Test
  void aLateFailureOfACallStartedBeforeTheBreakerClosedDoesNotCountAgainstIt() {
    fail("llm", "t1", DEPENDENCY_FAILURE, 2);
    CircuitBreakers.Guard old1 = breakers.acquire("llm", "t1");
    fail("llm", "t1", DEPENDENCY_FAILURE, 1);
    clock.advance(Duration.ofSeconds(60));
    breakers.record(breakers.acquire("llm", "t1"), SUCCESS);

    breakers.record(old1, DEPENDENCY_FAILURE);
    fail("llm", "t1", DEPENDENCY_FAILURE, 2);

    assertThat(breakers.state("llm", "t1")).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void oneTenantsFailuresOpenOnlyThatTenantsBreaker() {
    fail("llm", "over-quota", TENANT_FAILURE, 3);

    assertThat(breakers.state("llm", "over-quota")).isEqualTo(CircuitState.OPEN);
    assertThat(breakers.state("llm", "other")).isEqualTo(CircuitState.CLOSED);
    breakers.record(breakers.acquire("llm", "other"), SUCCESS);
  }

  @Test
  void aDependencyFailingForEveryoneOpensForEveryTenant() {
    fail("llm", "a", DEPENDENCY_FAILURE, 1);
    fail("llm", "b", DEPENDENCY_FAILURE, 1);
    fail("llm", "c", DEPENDENCY_FAILURE, 1);

    assertThat(breakers.state("llm", "never-called")).isEqualTo(CircuitState.OPEN);
    assertThat(breakers.state("tts", "a")).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void theCallersOwnFaultsCountNowhere() {
    fail("llm", "t1", CALLER_FAULT, 10);

    assertThat(breakers.state("llm", "t1")).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void aTenantsOwnSettingsOverrideTheDefaults() {
    fail("llm", "generous", TENANT_FAILURE, 4);
    assertThat(breakers.state("llm", "generous")).isEqualTo(CircuitState.CLOSED);
    fail("llm", "generous", TENANT_FAILURE, 1);
    assertThat(breakers.state("llm", "generous")).isEqualTo(CircuitState.OPEN);

    clock.advance(Duration.ofSeconds(10));
    breakers.acquire("llm", "generous");
    breakers.acquire("llm", "generous");
    assertThatThrownBy(() -> breakers.acquire("llm", "generous"))
        .as("two trial slots")
        .isInstanceOf(OpenCircuitException.class);
  }

  @Test
  void everyChangeIsReportedAndShownOnTheGauge() {
    fail("llm", "t1", DEPENDENCY_FAILURE, 3);

    assertThat(transitions)
        .containsExactly(
            new CircuitBreaker.Transition(
                "llm",
                CircuitBreakers.ALL_TENANTS,
                CircuitState.CLOSED,
                CircuitState.OPEN,
                Optional.empty()));
    assertThat(
            meters
                .get("circuit.state")
                .tag("service", "llm")
                .tag("tenant", CircuitBreakers.ALL_TENANTS)
                .gauge()
                .value())
        .isEqualTo(2.0);
    assertThat(
            meters.get("circuit.state").tag("service", "llm").tag("tenant", "t1").gauge().value())
        .isEqualTo(0.0);
  }

  @Test
  void callDoesNotReachTheDependencyWhileOpen() {
    fail("llm", "t1", DEPENDENCY_FAILURE, 3);
    AtomicInteger calls = new AtomicInteger();

    Future<String> result =
        breakers.call(
            "llm",
            "t1",
            () -> Future.succeededFuture("x" + calls.incrementAndGet()),
            ar -> SUCCESS);

    assertThat(calls).hasValue(0);
    assertThat(result.cause()).isInstanceOf(OpenCircuitException.class);
  }

  @Test
  void callRecordsTheClassifiedOutcome() {
    for (int i = 0; i < 3; i++) {
      breakers.call("llm", "t1", () -> Future.failedFuture("503"), ar -> DEPENDENCY_FAILURE);
    }

    assertThat(breakers.state("llm", "t1")).isEqualTo(CircuitState.OPEN);
  }

  private void fail(String dependency, String tenant, CallOutcome outcome, int times) {
    for (int i = 0; i < times; i++) {
      breakers.record(breakers.acquire(dependency, tenant), outcome);
    }
  }
}
