package dev.soma.resilience.testing.providers;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Deepgram pre-recorded STT: {@code POST /v1/listen} with {@code Authorization: Token <key>} and
 * the raw audio as the body; answers {@code {results:{channels:[{alternatives:[{transcript,
 * confidence}]}]}}} ({@link #TRANSCRIPT}). 401 on a wrong key, 400 on an empty body.
 */
public final class DeepgramDouble extends ProviderDouble {

  public static final String TRANSCRIPT = "hello from deepgram";

  private final String apiKey;

  public DeepgramDouble(Vertx vertx, String apiKey) {
    super(vertx);
    this.apiKey = apiKey;
  }

  @Override
  protected void answer(Recorded request, HttpServerResponse response) {
    if (!request.method().equals("POST") || !request.path().equals("/v1/listen")) {
      answerError(404, response);
    } else if (!("Token " + apiKey).equals(request.header("Authorization"))) {
      answerError(401, response);
    } else if (request.body().length() == 0) {
      answerError(400, response);
    } else {
      JsonObject alternative =
          new JsonObject().put("transcript", TRANSCRIPT).put("confidence", 0.98);
      response
          .putHeader("Content-Type", "application/json")
          .end(
              new JsonObject()
                  .put("metadata", new JsonObject().put("request_id", "double"))
                  .put(
                      "results",
                      new JsonObject()
                          .put(
                              "channels",
                              new JsonArray()
                                  .add(
                                      new JsonObject()
                                          .put("alternatives", new JsonArray().add(alternative)))))
                  .encode());
    }
  }

  @Override
  protected void answerMalformed(Recorded request, HttpServerResponse response) {
    response.putHeader("Content-Type", "application/json").end("{\"results\":{\"channels\":[]}}");
  }

  @Override
  protected void answerError(int status, HttpServerResponse response) {
    response
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(
            new JsonObject()
                .put("err_code", "INJECTED")
                .put("err_msg", "injected " + status)
                .encode());
  }
}
