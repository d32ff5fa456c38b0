package dev.soma.resilience.degradation;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One service's status: a dependency we call (PostgreSQL, SomaBrain, an LLM provider...) or a
 * capability of the agent that needs some of them (memory, chat...).
 *
 * @param service its name, e.g. {@code somabrain}, {@code llm.openai}, {@code memory}
 * @param kind {@code dependency} or {@code capability}
 * @param state whether it can be used
 * @param level how degraded it is; {@link DegradationLevel#CRITICAL} exactly when unavailable
 * @param reason why, for people (e.g. "3 consecutive failures: connection refused")
 * @param since when the service entered this state and level
 * @param critical whether the agent as a whole is critical when this service is
 * @param errorRate failed share of the outcomes in the window (0 when too few)
 * @param latencyMs mean latency of the outcomes in the window
 * @param calls outcomes in the window (probes and real traffic)
 * @param impactedBy the services whose degradation this one inherits through the graph
 */
public record DependencyStatus(
    String service,
    Kind kind,
    HealthState state,
    DegradationLevel level,
    String reason,
    Instant since,
    boolean critical,
    double errorRate,
    long latencyMs,
    int calls,
    List<String> impactedBy) {

  /** What a status is about. */
  public enum Kind {
    DEPENDENCY,
    CAPABILITY
  }

  public DependencyStatus {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(since, "since");
    reason = reason == null ? "" : reason;
    impactedBy = List.copyOf(impactedBy);
  }

  /** Whether {@code other} differs in what a change is about: state or level. */
  public boolean sameHealthAs(DependencyStatus other) {
    return other != null && state == other.state && level == other.level;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("service", service)
        .put("kind", kind.name().toLowerCase(java.util.Locale.ROOT))
        .put("state", state.wire())
        .put("level", level.wire())
        .put("levelValue", level.value())
        .put("reason", reason)
        .put("since", since.toString())
        .put("critical", critical)
        .put("errorRate", errorRate)
        .put("latencyMs", latencyMs)
        .put("calls", calls)
        .put("impactedBy", new JsonArray(List.copyOf(impactedBy)));
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} when malformed. */
  public static DependencyStatus fromJson(JsonObject json) {
    try {
      JsonArray impacted = json.getJsonArray("impactedBy", new JsonArray());
      return new DependencyStatus(
          json.getString("service"),
          Kind.valueOf(json.getString("kind").toUpperCase(java.util.Locale.ROOT)),
          HealthState.fromWire(json.getString("state")),
          DegradationLevel.fromWire(json.getString("level")),
          json.getString("reason"),
          Instant.parse(json.getString("since")),
          json.getBoolean("critical", false),
          json.getDouble("errorRate", 0.0),
          json.getLong("latencyMs", 0L),
          json.getInteger("calls", 0),
          impacted.stream().map(Object::toString).toList());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a dependency status: " + json.encode(), e);
    }
  }
}
