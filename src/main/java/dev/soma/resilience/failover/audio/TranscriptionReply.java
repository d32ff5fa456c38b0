package dev.soma.resilience.failover.audio;

import io.vertx.core.json.JsonObject;

/**
 * The answer to a {@link TranscriptionRequest}: the text from the provider that served it, or, when
 * none could, a directive for the client to recognise speech itself ({@code provider} {@value
 * BrowserDirective#PROVIDER}, {@code message} {@value BrowserDirective#MESSAGE}).
 *
 * @param text the transcript; null in fallback mode
 */
public record TranscriptionReply(
    String provider, String text, boolean fallbackMode, JsonObject directive, String message) {

  public static TranscriptionReply served(String provider, String text) {
    return new TranscriptionReply(provider, text, false, null, null);
  }

  public static TranscriptionReply browserFallback(TranscriptionRequest request) {
    return new TranscriptionReply(
        BrowserDirective.PROVIDER,
        null,
        true,
        BrowserDirective.listen(request.language()),
        BrowserDirective.MESSAGE);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("provider", provider).put("fallbackMode", fallbackMode);
    if (text != null) {
      json.put("text", text);
    }
    if (directive != null) {
      json.put("directive", directive).put("message", message);
    }
    return json;
  }

  public static TranscriptionReply fromJson(JsonObject json) {
    return new TranscriptionReply(
        json.getString("provider"),
        json.getString("text"),
        json.getBoolean("fallbackMode", false),
        json.getJsonObject("directive"),
        json.getString("message"));
  }
}
