package dev.soma.resilience.degradation.internal;

import dev.soma.resilience.config.DegradationConfig.Thresholds;
import dev.soma.resilience.degradation.DegradationLevel;
import dev.soma.resilience.degradation.HealthState;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a dependency's window into a state and a level. A pure function of its inputs:
 *
 * <ul>
 *   <li>{@code failuresToUnavailable} consecutive failures: unavailable, {@code critical};
 *   <li>else the worst of: error rate (once the window holds {@code minCalls} outcomes) at or above
 *       the severe or moderate threshold; mean latency at or above the severe, moderate or minor
 *       threshold;
 *   <li>nothing observed yet: unknown, {@code none}.
 * </ul>
 */
final class LevelPolicy {

  private final Thresholds thresholds;

  LevelPolicy(Thresholds thresholds) {
    this.thresholds = thresholds;
  }

  Assessment assess(WindowStats stats) {
    if (stats.observedNothing()) {
      return new Assessment(HealthState.UNKNOWN, DegradationLevel.NONE, "nothing observed yet");
    }
    if (stats.consecutiveFailures() >= thresholds.failuresToUnavailable()) {
      return new Assessment(
          HealthState.UNAVAILABLE,
          DegradationLevel.CRITICAL,
          stats.consecutiveFailures() + " consecutive failure(s): " + stats.lastError());
    }
    List<String> reasons = new ArrayList<>();
    DegradationLevel byErrors = errorLevel(stats, reasons);
    DegradationLevel byLatency = latencyLevel(stats, reasons);
    DegradationLevel level = DegradationLevel.max(byErrors, byLatency);
    if (level == DegradationLevel.NONE) {
      return new Assessment(HealthState.HEALTHY, level, "ok");
    }
    return new Assessment(HealthState.DEGRADED, level, String.join("; ", reasons));
  }

  private DegradationLevel errorLevel(WindowStats stats, List<String> reasons) {
    if (stats.calls() < thresholds.minCalls()) {
      return DegradationLevel.NONE;
    }
    double rate = stats.errorRate();
    DegradationLevel level =
        rate >= thresholds.severeErrorRate()
            ? DegradationLevel.SEVERE
            : rate >= thresholds.moderateErrorRate()
                ? DegradationLevel.MODERATE
                : DegradationLevel.NONE;
    if (level != DegradationLevel.NONE) {
      reasons.add(
          String.format(
              java.util.Locale.ROOT,
              "error rate %.0f%% (%d of %d)",
              rate * 100,
              stats.failures(),
              stats.calls()));
    }
    return level;
  }

  private DegradationLevel latencyLevel(WindowStats stats, List<String> reasons) {
    long latency = stats.meanLatencyMs();
    DegradationLevel level =
        latency >= thresholds.severeLatency().toMillis()
            ? DegradationLevel.SEVERE
            : latency >= thresholds.moderateLatency().toMillis()
                ? DegradationLevel.MODERATE
                : latency >= thresholds.minorLatency().toMillis()
                    ? DegradationLevel.MINOR
                    : DegradationLevel.NONE;
    if (level != DegradationLevel.NONE) {
      reasons.add("mean latency " + latency + " ms");
    }
    return level;
  }
}
