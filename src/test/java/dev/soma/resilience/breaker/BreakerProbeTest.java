package dev.soma.resilience.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.testing.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Probing an open breaker: a successful cheap probe earns the dependency a trial call at once. */
class BreakerProbeTest {

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final List<CircuitBreaker.Transition> transitions = new ArrayList<>();
  private final CircuitBreakers breakers =
      new CircuitBreakers(
          clock,
          new BreakerSettings(1, Duration.ofSeconds(60), 1),
          Map.of(),
          new SimpleMeterRegistry(),
          transitions::add,
          new BreakerPanel());

  @Test
  void onlyAnOpenBreakerNotYetDueForItsTrialIsProbed() {
    assertThat(breakers.probe("llm.openai")).as("closed").isEmpty();
    open();
    assertThat(breakers.probe("llm.openai")).as("open").isPresent();

    clock.advance(Duration.ofSeconds(60));

    assertThat(breakers.probe("llm.openai")).as("due for its trial anyway").isEmpty();
  }

  @Test
  void aSuccessfulProbeHalfOpensTheBreakerLongBeforeItsReset() {
    open();
    clock.advance(Duration.ofSeconds(2));

    breakers.probeSucceeded(breakers.probe("llm.openai").orElseThrow());

    assertThat(breakers.state("llm.openai", "t1")).isEqualTo(CircuitState.HALF_OPEN);
    assertThat(transitions)
        .last()
        .isEqualTo(
            new CircuitBreaker.Transition(
                "llm.openai",
                CircuitBreakers.ALL_TENANTS,
                CircuitState.OPEN,
                CircuitState.HALF_OPEN,
                Optional.empty()));
    CircuitBreakers.Guard trial = breakers.acquire("llm.openai", "t1");
    breakers.record(trial, CallOutcome.SUCCESS);
    assertThat(breakers.state("llm.openai", "t1")).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void theTrialAfterAProbeStillReopensTheBreakerWhenTheCallFails() {
    open();
    breakers.probeSucceeded(breakers.probe("llm.openai").orElseThrow());

    breakers.record(breakers.acquire("llm.openai", "t1"), CallOutcome.DEPENDENCY_FAILURE);

    assertThat(breakers.state("llm.openai", "t1")).isEqualTo(CircuitState.OPEN);
    assertThat(breakers.retryAfter("llm.openai", "t1")).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void aProbeThatStartedBeforeTheBreakerChangedStateIsIgnored() {
    open();
    CircuitBreaker.Permit stale = breakers.probe("llm.openai").orElseThrow();
    clock.advance(Duration.ofSeconds(60));
    breakers.record(breakers.acquire("llm.openai", "t1"), CallOutcome.DEPENDENCY_FAILURE);
    int before = transitions.size();

    breakers.probeSucceeded(stale);

    assertThat(breakers.state("llm.openai", "t1")).isEqualTo(CircuitState.OPEN);
    assertThat(transitions).hasSize(before);
  }

  private void open() {
    breakers.record(breakers.acquire("llm.openai", "t1"), CallOutcome.DEPENDENCY_FAILURE);
    assertThat(breakers.state("llm.openai", "t1")).isEqualTo(CircuitState.OPEN);
  }
}
