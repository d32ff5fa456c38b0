package dev.soma.resilience.breaker;

import java.util.Objects;

/**
 * Which breaker: a dependency's own ({@code tenant} {@value CircuitBreakers#ALL_TENANTS}) or a
 * dependency's for one tenant.
 */
public record BreakerId(String dependency, String tenant) {

  public BreakerId {
    Objects.requireNonNull(dependency, "dependency");
    Objects.requireNonNull(tenant, "tenant");
    if (dependency.isBlank() || tenant.isBlank()) {
      throw new IllegalArgumentException(
          "dependency and tenant must not be blank, but were '"
              + dependency
              + "', '"
              + tenant
              + "'");
    }
  }

  /** The dependency-wide breaker of {@code dependency}. */
  public static BreakerId of(String dependency) {
    return new BreakerId(dependency, CircuitBreakers.ALL_TENANTS);
  }

  public boolean dependencyWide() {
    return CircuitBreakers.ALL_TENANTS.equals(tenant);
  }
}
