package dev.soma.resilience.failover.audio;

import io.vertx.core.json.JsonObject;

/**
 * The last link of both audio chains: no server call, a directive for the client to use the
 * browser's (or the native app's) own speech API instead, and a message for the user.
 */
public final class BrowserDirective {

  /** The provider name every fallback-mode reply carries. */
  public static final String PROVIDER = "browser/native";

  /** What the user is told while voice runs on the client. */
  public static final String MESSAGE = "voice in fallback mode";

  private BrowserDirective() {}

  /** Speak {@code text} with the client's speech synthesis (Web Speech API speechSynthesis). */
  public static JsonObject speak(String text) {
    return new JsonObject()
        .put("type", "client-speech-synthesis")
        .put("api", "speechSynthesis")
        .put("text", text);
  }

  /** Recognise speech on the client (Web Speech API SpeechRecognition) and send back the text. */
  public static JsonObject listen(String language) {
    JsonObject directive =
        new JsonObject().put("type", "client-speech-recognition").put("api", "SpeechRecognition");
    return language == null ? directive : directive.put("language", language);
  }
}
