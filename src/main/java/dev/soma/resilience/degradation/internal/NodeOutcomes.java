package dev.soma.resilience.degradation.internal;

import dev.soma.resilience.config.DegradationConfig.Thresholds;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Each node's calls to each service, from the outcomes it reports: a node that cannot reach a
 * service the others reach shows as such, instead of being averaged into the service's status. A
 * node's calls are {@code failingHereOnly} when their error rate reaches the severe threshold while
 * the other nodes' calls to the same service stay below the moderate one. Bounded: at most {@value
 * #MAX_NODES} nodes per service. Not thread-safe: the monitor's event loop owns it.
 */
final class NodeOutcomes {

  static final int MAX_NODES = 64;
  private static final int MAX_SAMPLES = 1_000;

  private final Duration span;
  private final Clock clock;
  private final Thresholds thresholds;
  private final Map<String, Map<String, OutcomeWindow>> byService = new LinkedHashMap<>();

  NodeOutcomes(Duration span, Clock clock, Thresholds thresholds) {
    this.span = span;
    this.clock = clock;
    this.thresholds = thresholds;
  }

  void record(String service, String node, boolean ok, long latencyMs, String error) {
    Map<String, OutcomeWindow> nodes =
        byService.computeIfAbsent(service, s -> new LinkedHashMap<>());
    OutcomeWindow window = nodes.get(node);
    if (window == null) {
      if (nodes.size() >= MAX_NODES) {
        return;
      }
      window = new OutcomeWindow(span, clock, MAX_SAMPLES, thresholds.failuresToUnavailable());
      nodes.put(node, window);
    }
    window.record(ok, latencyMs, error, false);
  }

  /**
   * {@code {node: {service: {calls, errorRate, latencyMs, lastError?, failingHereOnly}}}} for the
   * calls still in the window.
   */
  JsonObject toJson() {
    JsonObject byNode = new JsonObject();
    byService.forEach(
        (service, nodes) -> {
          Map<String, WindowStats> stats = new LinkedHashMap<>();
          nodes.forEach((node, window) -> stats.put(node, window.stats()));
          stats.forEach(
              (node, s) -> {
                if (s.calls() == 0) {
                  return;
                }
                JsonObject detail =
                    new JsonObject()
                        .put("calls", s.calls())
                        .put("errorRate", s.errorRate())
                        .put("latencyMs", s.meanLatencyMs())
                        .put("failingHereOnly", failingHereOnly(node, stats));
                if (s.lastError() != null) {
                  detail.put("lastError", s.lastError());
                }
                JsonObject services = byNode.getJsonObject(node);
                if (services == null) {
                  services = new JsonObject();
                  byNode.put(node, services);
                }
                services.put(service, detail);
              });
        });
    return byNode;
  }

  private boolean failingHereOnly(String node, Map<String, WindowStats> stats) {
    if (stats.get(node).errorRate() < thresholds.severeErrorRate()) {
      return false;
    }
    int calls = 0;
    int failures = 0;
    for (Map.Entry<String, WindowStats> other : stats.entrySet()) {
      if (!other.getKey().equals(node)) {
        calls += other.getValue().calls();
        failures += other.getValue().failures();
      }
    }
    return calls > 0 && (double) failures / calls < thresholds.moderateErrorRate();
  }
}
