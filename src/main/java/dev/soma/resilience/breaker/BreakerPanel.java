package dev.soma.resilience.breaker;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every breaker of this process, whichever feature holds it (SomaBrain's, the LLM, audio and
 * storage chains'), and the operators' overrides in force here. One per process, made by the
 * composition root; each {@link CircuitBreakers} joins it when made. The overrides come from the
 * {@code breaker_overrides} table ({@link BreakerOverrides}) through {@link #apply}, always as the
 * whole set: a breaker missing from it is automatic.
 *
 * <p>Thread-safe: the set of overrides is replaced whole, and a breaker made after an {@link
 * #apply} starts under its override.
 */
public final class BreakerPanel {

  private final List<CircuitBreakers> sets = new CopyOnWriteArrayList<>();
  private volatile Map<BreakerId, BreakerOverride> overrides = Map.of();

  void join(CircuitBreakers set) {
    sets.add(set);
  }

  /** Puts every breaker under its override in {@code next}, and every other one to automatic. */
  public synchronized void apply(Map<BreakerId, BreakerOverride> next) {
    overrides = Map.copyOf(next);
    sets.forEach(set -> set.apply(overrides));
  }

  /** The overrides in force here, as last applied. */
  public Map<BreakerId, BreakerOverride> overrides() {
    return overrides;
  }

  Optional<BreakerOverride> overrideOf(BreakerId id) {
    return Optional.ofNullable(overrides.get(id));
  }

  /** Whether any breaker set here has {@code dependency} (it is configured, or was called). */
  public boolean knows(String dependency) {
    return sets.stream().anyMatch(set -> set.knows(dependency));
  }

  /** The dependencies with a breaker here, sorted. */
  public List<String> dependencies() {
    return breakers().stream().map(view -> view.id().dependency()).distinct().toList();
  }

  /** Every breaker here, by dependency, each dependency's own breaker before its tenants'. */
  public List<BreakerView> breakers() {
    return sets.stream()
        .flatMap(set -> set.views().stream())
        .sorted(
            Comparator.comparing((BreakerView v) -> v.id().dependency())
                .thenComparing(v -> !v.id().dependencyWide())
                .thenComparing(v -> v.id().tenant()))
        .toList();
  }

  /**
   * The breaker {@code id}, made now if its dependency is known here and the tenant's breaker was
   * not yet needed; empty when the dependency is not known here.
   */
  public Optional<BreakerView> breaker(BreakerId id) {
    return sets.stream()
        .filter(set -> set.knows(id.dependency()))
        .findFirst()
        .map(set -> set.view(id));
  }
}
