package dev.soma.resilience.degradation.internal;

import java.util.Optional;

/**
 * A dependency the monitor tracks: with a probe, outcome-only (judged by the calls clients report),
 * or not configured (shown as such, never as a failure).
 *
 * @param critical whether the agent as a whole is critical when this dependency is
 */
public record MonitoredDependency(
    String name, boolean configured, boolean critical, Optional<HealthProbe.Factory> probe) {

  public static MonitoredDependency probed(String name, HealthProbe.Factory probe) {
    return new MonitoredDependency(name, true, false, Optional.of(probe));
  }

  public static MonitoredDependency outcomeOnly(String name) {
    return new MonitoredDependency(name, true, false, Optional.empty());
  }

  public static MonitoredDependency notConfigured(String name) {
    return new MonitoredDependency(name, false, false, Optional.empty());
  }

  public MonitoredDependency asCritical(boolean isCritical) {
    return new MonitoredDependency(name, configured, isCritical, probe);
  }
}
