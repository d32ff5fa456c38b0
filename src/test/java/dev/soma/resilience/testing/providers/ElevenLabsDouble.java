package dev.soma.resilience.testing.providers;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * ElevenLabs TTS: {@code POST /v1/text-to-speech/{voice_id}} with {@code xi-api-key} and {@code
 * {text, model_id?}}; answers {@code audio/mpeg} bytes ({@link #audioFor}), 401 without the key,
 * 400 without text.
 */
public final class ElevenLabsDouble extends ProviderDouble {

  private final String apiKey;

  public ElevenLabsDouble(Vertx vertx, String apiKey) {
    super(vertx);
    this.apiKey = apiKey;
  }

  /** The bytes this double returns for {@code text}. */
  public static byte[] audioFor(String text) {
    return ("ID3-elevenlabs:" + text).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  protected void answer(Recorded request, HttpServerResponse response) {
    if (!request.method().equals("POST") || !request.path().startsWith("/v1/text-to-speech/")) {
      answerError(404, response);
      return;
    }
    if (!apiKey.equals(request.header("xi-api-key"))) {
      answerError(401, response);
      return;
    }
    String text = AudioBodies.jsonString(request.body(), "text");
    if (text == null || text.isEmpty()) {
      answerError(400, response);
      return;
    }
    response.putHeader("Content-Type", "audio/mpeg").end(Buffer.buffer(audioFor(text)));
  }

  @Override
  protected void answerMalformed(Recorded request, HttpServerResponse response) {
    response.putHeader("Content-Type", "text/html").end("<html>maintenance</html>");
  }

  @Override
  protected void answerError(int status, HttpServerResponse response) {
    response
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(
            new JsonObject()
                .put(
                    "detail",
                    new JsonObject()
                        .put("status", "injected_" + status)
                        .put("message", "injected " + status))
                .encode());
  }
}
