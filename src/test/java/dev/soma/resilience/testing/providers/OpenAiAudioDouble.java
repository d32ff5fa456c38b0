package dev.soma.resilience.testing.providers;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OpenAI audio, both endpoints, {@code Authorization: Bearer <key>}: {@code POST /v1/audio/speech}
 * {@code {model, input, voice, response_format?}} answers audio bytes ({@link #audioFor}); {@code
 * POST /v1/audio/transcriptions}, multipart with a {@code file} part and a {@code model} field,
 * answers {@code {text}} ({@link #TRANSCRIPT}). 400 when a required field is missing, 401 on a
 * wrong key, in OpenAI's error format.
 */
public final class OpenAiAudioDouble extends ProviderDouble {

  public static final String TRANSCRIPT = "hello from whisper";
  private static final Pattern BOUNDARY = Pattern.compile("boundary=\"?([^\";]+)\"?");

  private final String apiKey;

  public OpenAiAudioDouble(Vertx vertx, String apiKey) {
    super(vertx);
    this.apiKey = apiKey;
  }

  public static byte[] audioFor(String text) {
    return ("ID3-openai:" + text).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  protected void answer(Recorded request, HttpServerResponse response) {
    if (!("Bearer " + apiKey).equals(request.header("Authorization"))) {
      answerError(401, response);
    } else if (request.path().equals("/v1/audio/speech")) {
      JsonObject body = AudioBodies.json(request.body());
      if (body == null
          || body.getString("model") == null
          || body.getString("voice") == null
          || body.getString("input", "").isEmpty()) {
        answerError(400, response);
        return;
      }
      String format = body.getString("response_format", "mp3");
      response
          .putHeader("Content-Type", format.equals("mp3") ? "audio/mpeg" : "audio/" + format)
          .end(Buffer.buffer(audioFor(body.getString("input"))));
    } else if (request.path().equals("/v1/audio/transcriptions")) {
      String form = request.body().toString(StandardCharsets.ISO_8859_1);
      Matcher boundary = BOUNDARY.matcher(String.valueOf(request.header("Content-Type")));
      if (!boundary.find() || !form.contains("name=\"file\"") || !form.contains("name=\"model\"")) {
        answerError(400, response);
        return;
      }
      response
          .putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("text", TRANSCRIPT).encode());
    } else {
      answerError(404, response);
    }
  }

  @Override
  protected void answerMalformed(Recorded request, HttpServerResponse response) {
    if (request.path().equals("/v1/audio/transcriptions")) {
      response.putHeader("Content-Type", "application/json").end("{\"txt\": 42");
    } else {
      response.putHeader("Content-Type", "application/json").end("{\"not\":\"audio\"}");
    }
  }

  @Override
  protected void answerError(int status, HttpServerResponse response) {
    response
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(
            new JsonObject()
                .put(
                    "error",
                    new JsonObject()
                        .put("message", "injected " + status)
                        .put("type", status == 400 ? "invalid_request_error" : "server_error"))
                .encode());
  }
}
