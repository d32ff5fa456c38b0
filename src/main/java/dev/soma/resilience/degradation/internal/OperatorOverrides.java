package dev.soma.resilience.degradation.internal;

import dev.soma.resilience.breaker.BreakerOverride;
import dev.soma.resilience.breaker.OverridesApplied;
import dev.soma.resilience.degradation.DegradationLevel;
import dev.soma.resilience.degradation.HealthState;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The operators' overrides of dependencies' own breakers, as the monitor's assessments see them:
 * forced open, a dependency is unavailable (every call to it is refused) for the reason the
 * override gives; forced closed, its health is what its calls say, and the reason adds that the
 * breaker is forced closed. A tenant's breaker under an override changes no dependency's status.
 * Not thread-safe: the monitor's event loop alone uses it.
 */
final class OperatorOverrides {

  private Map<String, BreakerOverride> byDependency = Map.of();

  /**
   * Takes the set of overrides now in force ({@code applied}, the whole set); says whether the
   * dependency-wide ones changed.
   */
  boolean update(OverridesApplied applied) {
    Map<String, BreakerOverride> fresh = new LinkedHashMap<>();
    applied
        .overrides()
        .forEach(
            (id, override) -> {
              if (id.dependencyWide()) {
                fresh.put(id.dependency(), override);
              }
            });
    if (fresh.equals(byDependency)) {
      return false;
    }
    byDependency = Map.copyOf(fresh);
    return true;
  }

  /** {@code assessed} as an operator's override of {@code name}'s breaker changes it, if any. */
  Assessment apply(String name, Assessment assessed) {
    BreakerOverride override = byDependency.get(name);
    if (override == null) {
      return assessed;
    }
    if (override.mode() == BreakerOverride.Mode.FORCED_OPEN) {
      return new Assessment(
          HealthState.UNAVAILABLE, DegradationLevel.CRITICAL, override.describe());
    }
    return new Assessment(
        assessed.state(), assessed.level(), assessed.reason() + "; breaker " + override.describe());
  }
}
