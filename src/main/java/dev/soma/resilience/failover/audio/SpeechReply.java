package dev.soma.resilience.failover.audio;

import io.vertx.core.json.JsonObject;
import java.util.Base64;

/**
 * The answer to a {@link SpeechRequest}: audio from the provider that served it, or, when no
 * provider could, a directive telling the client to speak with its own speech API ({@code provider}
 * {@value BrowserDirective#PROVIDER}, {@code fallbackMode} true, {@code message} {@value
 * BrowserDirective#MESSAGE}). Audio travels base64-encoded (the bus may be clustered).
 *
 * @param provider who served it, e.g. {@code elevenlabs}, {@code openai}, {@code kokoro}
 * @param audio the audio bytes; null in fallback mode
 * @param contentType the audio's media type; null in fallback mode
 * @param directive what the client must do itself; null unless in fallback mode
 * @param message what to show the user; null unless in fallback mode
 */
public record SpeechReply(
    String provider,
    byte[] audio,
    String contentType,
    boolean fallbackMode,
    JsonObject directive,
    String message) {

  public static SpeechReply served(String provider, byte[] audio, String contentType) {
    return new SpeechReply(provider, audio, contentType, false, null, null);
  }

  /** The last link of the chain: the browser speaks {@code text} itself. */
  public static SpeechReply browserFallback(SpeechRequest request) {
    return new SpeechReply(
        BrowserDirective.PROVIDER,
        null,
        null,
        true,
        BrowserDirective.speak(request.text()),
        BrowserDirective.MESSAGE);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("provider", provider).put("fallbackMode", fallbackMode);
    if (audio != null) {
      json.put("audio", Base64.getEncoder().encodeToString(audio)).put("contentType", contentType);
    }
    if (directive != null) {
      json.put("directive", directive).put("message", message);
    }
    return json;
  }

  public static SpeechReply fromJson(JsonObject json) {
    return new SpeechReply(
        json.getString("provider"),
        MessageFields.base64(json, "audio"),
        json.getString("contentType"),
        json.getBoolean("fallbackMode", false),
        json.getJsonObject("directive"),
        json.getString("message"));
  }
}
