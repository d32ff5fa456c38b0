package dev.soma.resilience.failover.storage;

import io.vertx.core.json.JsonObject;
import java.util.Base64;

/**
 * An object and the link that had it. The bytes travel base64-encoded, so objects larger than
 * {@code storage.maxInlineBytes} are refused with {@link StorageAddresses#TOO_LARGE}.
 */
public record FetchReply(String provider, String key, String contentType, byte[] data) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("provider", provider)
        .put("key", key)
        .put("contentType", contentType)
        .put("data", Base64.getEncoder().encodeToString(data));
  }

  public static FetchReply fromJson(JsonObject json) {
    return new FetchReply(
        json.getString("provider"),
        json.getString("key"),
        json.getString("contentType"),
        Base64.getDecoder().decode(json.getString("data")));
  }
}
