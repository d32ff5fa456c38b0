package dev.soma.resilience.degradation.internal;

import dev.soma.resilience.degradation.DegradationLevel;
import dev.soma.resilience.degradation.DependencyStatus;
import dev.soma.resilience.degradation.HealthState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How the monitor turns what it tracks into statuses: each configured dependency's window is
 * assessed by the {@link LevelPolicy} and changed by an operator's override of its breaker, if any;
 * one not configured is {@link HealthState#NOT_CONFIGURED}; then the {@link DependencyGraph} gives
 * each service its effective assessment (what it inherits from what it depends on). Reads the
 * windows, changes nothing; the monitor's event loop alone uses it.
 *
 * @param criticalServices the configured ones, for a service the graph knows but none tracks
 */
record StatusAssessor(
    LevelPolicy policy,
    DependencyGraph graph,
    OperatorOverrides overrides,
    Set<String> criticalServices) {

  private static final Assessment NOT_CONFIGURED =
      new Assessment(HealthState.NOT_CONFIGURED, DegradationLevel.NONE, "not configured");

  /** The status of every service {@code tracked} and the graph name, as of {@code now}. */
  List<DependencyStatus> statuses(Map<String, TrackedDependency> tracked, Instant now) {
    Map<String, Assessment> own = new LinkedHashMap<>();
    Map<String, WindowStats> stats = new LinkedHashMap<>();
    tracked.forEach(
        (name, t) -> {
          WindowStats s = t.spec.configured() ? t.window.stats() : WindowStats.EMPTY;
          stats.put(name, s);
          own.put(
              name, t.spec.configured() ? overrides.apply(name, policy.assess(s)) : NOT_CONFIGURED);
        });
    List<DependencyStatus> fresh = new ArrayList<>();
    graph
        .resolve(own)
        .forEach(
            (name, effective) -> {
              TrackedDependency t = tracked.get(name);
              boolean critical = t != null ? t.spec.critical() : criticalServices.contains(name);
              WindowStats s = stats.getOrDefault(name, WindowStats.EMPTY);
              fresh.add(effective.status(name, critical, s, now));
            });
    return fresh;
  }
}
