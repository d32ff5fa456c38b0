package dev.soma.resilience.failover.llm;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One step from a link of a chain to the next: {@code from} could not serve (or was skipped because
 * its breaker is open or it asked us to wait), so {@code to} was tried. Links are written {@code
 * provider:model}.
 */
public record Failover(String from, String to, String reason) {

  public JsonObject toJson() {
    return new JsonObject().put("from", from).put("to", to).put("reason", reason);
  }

  public static Failover fromJson(JsonObject json) {
    return new Failover(json.getString("from"), json.getString("to"), json.getString("reason"));
  }

  /** The steps as a JSON array, in order (how a reply or an error carries them). */
  public static JsonArray toJson(List<Failover> steps) {
    JsonArray array = new JsonArray();
    steps.forEach(step -> array.add(step.toJson()));
    return array;
  }

  /** The steps {@link #toJson(List)} wrote; an absent array means none. */
  public static List<Failover> listFromJson(JsonArray array) {
    return array == null
        ? List.of()
        : array.stream().map(step -> fromJson((JsonObject) step)).toList();
  }
}
