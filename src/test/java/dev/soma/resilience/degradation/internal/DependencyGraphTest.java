package dev.soma.resilience.degradation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.degradation.DegradationLevel;
import dev.soma.resilience.degradation.DependencyStatus.Kind;
import dev.soma.resilience.degradation.HealthState;
import dev.soma.resilience.degradation.internal.DependencyGraph.Effective;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DependencyGraphTest {

  private static final Assessment OK =
      new Assessment(HealthState.HEALTHY, DegradationLevel.NONE, "ok");
  private static final Assessment DOWN =
      new Assessment(
          HealthState.UNAVAILABLE, DegradationLevel.CRITICAL, "2 consecutive failure(s): refused");
  private static final Assessment SLOW =
      new Assessment(HealthState.DEGRADED, DegradationLevel.MODERATE, "mean latency 11000 ms");
  private static final Assessment NOT_CONFIGURED =
      new Assessment(HealthState.NOT_CONFIGURED, DegradationLevel.NONE, "not configured");

  private final DependencyGraph graph =
      DependencyGraph.parse(
          Map.of(
              "memory", "somabrain",
              "events", "kafka,postgresql",
              "chat", "llm.*",
              "workflows", "temporal"));

  private static Map<String, Assessment> own(Object... pairs) {
    Map<String, Assessment> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put((String) pairs[i], (Assessment) pairs[i + 1]);
    }
    return map;
  }

  @Test
  void aCapabilityIsMarkedUnavailableWhenWhatItNeedsIsDown() {
    Effective memory = graph.resolve(own("somabrain", DOWN)).get("memory");

    assertThat(memory.kind()).isEqualTo(Kind.CAPABILITY);
    assertThat(memory.assessment().state()).isEqualTo(HealthState.UNAVAILABLE);
    assertThat(memory.assessment().level()).isEqualTo(DegradationLevel.CRITICAL);
    assertThat(memory.impactedBy()).containsExactly("somabrain");
    assertThat(memory.assessment().reason()).isEqualTo("needs somabrain (critical)");
  }

  @Test
  void aCapabilityNeedingSeveralTakesTheWorst() {
    Effective events = graph.resolve(own("kafka", SLOW, "postgresql", OK)).get("events");

    assertThat(events.assessment().level()).isEqualTo(DegradationLevel.MODERATE);
    assertThat(events.assessment().state()).isEqualTo(HealthState.DEGRADED);
    assertThat(events.impactedBy()).containsExactly("kafka");
  }

  @Test
  void alternativesCoverForEachOtherButLosingOneIsMinor() {
    Map<String, Effective> all = graph.resolve(own("llm.openai", DOWN, "llm.anthropic", OK));

    assertThat(all.get("chat").assessment().level()).isEqualTo(DegradationLevel.MINOR);
    assertThat(all.get("chat").impactedBy()).containsExactly("llm.openai");
  }

  @Test
  void allAlternativesDownIsUnavailable() {
    Map<String, Effective> all = graph.resolve(own("llm.openai", DOWN, "llm.anthropic", DOWN));

    assertThat(all.get("chat").assessment().state()).isEqualTo(HealthState.UNAVAILABLE);
  }

  @Test
  void aCapabilityWhoseDependenciesAreNotConfiguredIsNotConfigured() {
    Map<String, Effective> all = graph.resolve(own("temporal", NOT_CONFIGURED));

    assertThat(all.get("workflows").assessment().state()).isEqualTo(HealthState.NOT_CONFIGURED);
    assertThat(all.get("chat").assessment().state()).isEqualTo(HealthState.NOT_CONFIGURED);
    assertThat(all.get("temporal").assessment().state()).isEqualTo(HealthState.NOT_CONFIGURED);
  }

  @Test
  void healthyDependenciesLeaveCapabilitiesHealthy() {
    Map<String, Effective> all = graph.resolve(own("somabrain", OK, "kafka", OK, "postgresql", OK));

    assertThat(all.get("memory").assessment().state()).isEqualTo(HealthState.HEALTHY);
    assertThat(all.get("events").assessment().state()).isEqualTo(HealthState.HEALTHY);
    assertThat(all.get("somabrain").assessment()).isEqualTo(OK);
  }

  @Test
  void aDependencyThatNeedsAnotherInheritsItsOutage() {
    DependencyGraph chained = DependencyGraph.parse(Map.of("somabrain", "postgresql"));

    Effective somabrain =
        chained.resolve(own("somabrain", OK, "postgresql", DOWN)).get("somabrain");

    assertThat(somabrain.kind()).isEqualTo(Kind.DEPENDENCY);
    assertThat(somabrain.assessment().state()).isEqualTo(HealthState.UNAVAILABLE);
    assertThat(somabrain.impactedBy()).containsExactly("postgresql");
  }

  @Test
  void aCycleDoesNotLoopForever() {
    DependencyGraph cyclic = DependencyGraph.parse(Map.of("a", "b", "b", "a"));

    Map<String, Effective> all = cyclic.resolve(own("a", DOWN, "b", OK));

    assertThat(all.get("b").assessment().level()).isEqualTo(DegradationLevel.CRITICAL);
    assertThat(all.get("a").assessment().level()).isEqualTo(DegradationLevel.CRITICAL);
  }
}
