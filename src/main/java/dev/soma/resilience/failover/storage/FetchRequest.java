package dev.soma.resilience.failover.storage;

import io.vertx.core.json.JsonObject;

/** Reads an object back from whichever link has it (S3, then local, then Redis). */
public record FetchRequest(ObjectKey key, String requestId) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("tenantId", key.tenantId())
        .put("key", key.key())
        .put("requestId", requestId);
  }

  /** Parses and validates; throws {@link IllegalArgumentException} on a bad message. */
  public static FetchRequest fromJson(JsonObject json) {
    try {
      return new FetchRequest(
          new ObjectKey(json.getString("tenantId"), json.getString("key")),
          json.getString("requestId", ""));
    } catch (ClassCastException e) {
      throw new IllegalArgumentException("tenantId and key must be strings");
    }
  }
}
