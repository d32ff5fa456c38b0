package dev.soma.resilience.testing.providers;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * The self-hosted Kokoro wrapper: {@code POST /synthesize} {@code {text (<=5000), voice, speed
 * (0.5-2.0), format}} answers audio bytes ({@link #audioFor}); {@code GET /health} answers {@code
 * {status:"ok"}}. 400 on text out of bounds or speed out of range.
 */
public final class KokoroDouble extends ProviderDouble {

  public KokoroDouble(Vertx vertx) {
    super(vertx);
  }

  public static byte[] audioFor(String text) {
    return ("RIFF-kokoro:" + text).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  protected void answer(Recorded request, HttpServerResponse response) {
    if (request.method().equals("GET") && request.path().equals("/health")) {
      response.putHeader("Content-Type", "application/json").end("{\"status\":\"ok\"}");
      return;
    }
    if (!request.method().equals("POST") || !request.path().equals("/synthesize")) {
      answerError(404, response);
      return;
    }
    JsonObject body = AudioBodies.json(request.body());
    String text = body == null ? null : body.getString("text");
    double speed = body == null ? 1.0 : body.getDouble("speed", 1.0);
    if (text == null || text.isEmpty() || text.length() > 5000 || speed < 0.5 || speed > 2.0) {
      answerError(400, response);
      return;
    }
    String format = body.getString("format", "wav");
    response
        .putHeader("Content-Type", format.equals("mp3") ? "audio/mpeg" : "audio/" + format)
        .end(Buffer.buffer(audioFor(text)));
  }

  @Override
  protected void answerMalformed(Recorded request, HttpServerResponse response) {
    response.putHeader("Content-Type", "audio/wav").end();
  }

  @Override
  protected void answerError(int status, HttpServerResponse response) {
    response
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("detail", "injected " + status).encode());
  }
}
