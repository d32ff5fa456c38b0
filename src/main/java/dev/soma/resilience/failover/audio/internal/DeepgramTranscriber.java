package dev.soma.resilience.failover.audio.internal;

import dev.soma.resilience.config.AudioConfig;
import dev.soma.resilience.failover.audio.TranscriptionRequest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;

/**
 * Deepgram STT: {@code POST {base}/v1/listen}, {@code Authorization: Token <key>}, raw audio body;
 * the transcript is {@code results.channels[0].alternatives[0].transcript}.
 */
public final class DeepgramTranscriber implements Link<TranscriptionRequest, String> {

  private final WebClient client;
  private final AudioConfig.Deepgram config;
  private final Clock clock;
  private final long timeoutMillis;

  public DeepgramTranscriber(
      WebClient client, AudioConfig.Deepgram config, Clock clock, long timeoutMillis) {
    this.client = client;
    this.config = config;
    this.clock = clock;
    this.timeoutMillis = timeoutMillis;
  }

  @Override
  public String name() {
    return "deepgram";
  }

  @Override
  public boolean configured() {
    return config.apiKey().isSet();
  }

  @Override
  public Future<String> call(TranscriptionRequest request) {
    HttpRequest<Buffer> post =
        client
            .postAbs(Endpoints.url(config.baseUrl(), "/v1/listen"))
            .addQueryParam("model", config.model())
            .putHeader("Authorization", "Token " + config.apiKey().value())
            .putHeader("Content-Type", request.contentType())
            .timeout(timeoutMillis);
    if (request.language() != null) {
      post.addQueryParam("language", request.language());
    }
    return post.sendBuffer(Buffer.buffer(request.audio()))
        .map(response -> transcript(HttpAnswers.require2xx(name(), response, clock)));
  }

  private String transcript(HttpResponse<Buffer> response) {
    try {
      JsonArray channels =
          new JsonObject(response.body()).getJsonObject("results").getJsonArray("channels");
      Object text =
          channels
              .getJsonObject(0)
              .getJsonArray("alternatives")
              .getJsonObject(0)
              .getValue("transcript");
      if (text instanceof String s) {
        return s;
      }
    } catch (RuntimeException e) {
      // reported below
    }
    throw ProviderCallFailure.malformed(
        name(), "no results.channels[0].alternatives[0].transcript");
  }
}
