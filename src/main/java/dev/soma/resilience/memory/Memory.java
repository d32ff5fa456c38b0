package dev.soma.resilience.memory;

import io.vertx.core.json.JsonObject;

/**
 * One memory to remember. {@code tenant}, {@code namespace} and {@code key} are its identity, at
 * SomaBrain (the key is sent as the body field {@code key}) and in the pending queue: sending the
 * same key in the same namespace again overwrites, which makes every retry safe; the same key in
 * another namespace is another memory.
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
