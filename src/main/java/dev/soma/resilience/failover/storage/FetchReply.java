package dev.soma.resilience.failover.storage;

import io.vertx.core.json.JsonObject;
import java.util.Base64;

/**
 * An object and the link that had it. Up to {@code storage.maxInlineBytes} the bytes travel in the
 * reply, base64-encoded ({@code data}); a larger object is written to the upload spool's {@code
 * incoming/} and the reply names that file ({@code spilled}, an {@link UploadSpool} reference),
 * which the reader sends and then deletes (the spool's sweep takes what a reader leaves).
 */
public record FetchReply(
    String provider, String key, String contentType, byte[] data, String spilled) {

  /** An object whose bytes travel in the reply. */
  public FetchReply(String provider, String key, String contentType, byte[] data) {
    this(provider, key, contentType, data, null);
  }

  public JsonObject toJson() {
    JsonObject json =
        new JsonObject().put("provider", provider).put("key", key).put("contentType", contentType);
    return spilled != null
        ? json.put("spilled", spilled)
        : json.put("data", Base64.getEncoder().encodeToString(data));
  }

  public static FetchReply fromJson(JsonObject json) {
    String data = json.getString("data");
    return new FetchReply(
        json.getString("provider"),
        json.getString("key"),
        json.getString("contentType"),
        data == null ? null : Base64.getDecoder().decode(data),
        json.getString("spilled"));
  }
}
