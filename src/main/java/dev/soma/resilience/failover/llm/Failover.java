package dev.soma.resilience.failover.llm;

import io.vertx.core.json.JsonObject;

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
}
