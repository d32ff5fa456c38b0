package dev.soma.resilience.failover.audio;

import io.vertx.core.json.JsonObject;

/**
 * Text to speak, for one tenant. Voices and models come from each provider's configuration, so the
 * request names none.
 *
 * @param tenantId whose breakers the calls count on
 * @param requestId correlation id for logs
 * @param text what to say, 1 to 5000 characters (Kokoro's limit, the lowest of the chain)
 * @param format audio format asked of providers that let you choose ({@code mp3} by default)
 */
public record SpeechRequest(String tenantId, String requestId, String text, String format) {

  public static final int MAX_TEXT = 5000;

  /** Validates; throws {@link IllegalArgumentException} naming the bad field. */
  public SpeechRequest {
    MessageFields.requireText("tenantId", tenantId);
    MessageFields.requireText("text", text);
    if (text.length() > MAX_TEXT) {
      throw new IllegalArgumentException(
          "text must be at most " + MAX_TEXT + " characters, but was " + text.length());
    }
    format = format == null || format.isBlank() ? "mp3" : format;
    if (!format.matches("mp3|wav|opus|aac|flac|pcm")) {
      throw new IllegalArgumentException(
          "format must be one of mp3, wav, opus, aac, flac, pcm, but was '" + format + "'");
    }
    requestId = requestId == null ? "" : requestId;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("tenantId", tenantId)
        .put("requestId", requestId)
        .put("text", text)
        .put("format", format);
  }

  /** Parses and validates; throws {@link IllegalArgumentException} on a bad message. */
  public static SpeechRequest fromJson(JsonObject json) {
    return new SpeechRequest(
        MessageFields.string(json, "tenantId"),
        MessageFields.string(json, "requestId"),
        MessageFields.string(json, "text"),
        MessageFields.string(json, "format"));
  }
}
