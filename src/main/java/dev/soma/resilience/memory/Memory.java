package dev.soma.resilience.memory;

import io.vertx.core.json.JsonObject;

/**
 * One memory to remember. {@code key} is its identity at SomaBrain (sent as the body field {@code
 * key}): sending the same key again overwrites, which makes every retry safe.
 */
public record Memory(
    String tenant, String namespace, String key, JsonObject value, JsonObject meta) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("tenant", tenant)
        .put("namespace", namespace)
        .put("key", key)
        .put("value", value)
        .put("meta", meta);
  }
}
