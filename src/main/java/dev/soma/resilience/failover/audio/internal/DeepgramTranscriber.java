package dev.soma.resilience.failover.audio.internal;

import dev.soma.resilience.config.AudioConfig;
import dev.soma.resilience.failover.audio.TranscriptionRequest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;

/**
 * Deepgram STT: {@code POST {base}/v1/listen}, {@code Authorization: Token <key>}, raw audio body;
 * the transcript is {@code results.channels[0].alternatives[0].transcript}.
 */
public final class DeepgramTranscriber extends AudioLink<TranscriptionRequest, String> {

  private final AudioConfig.Deepgram config;

  public DeepgramTranscriber(AudioHttp http, AudioConfig.Deepgram config) {
    super("deepgram", config.apiKey().isSet(), http);
    this.config = config;
  }

  @Override
  Future<String> call(TranscriptionRequest request) {
    HttpRequest<Buffer> post =
        http.post(config.baseUrl(), "/v1/listen")
            .addQueryParam("model", config.model())
            .putHeader("Authorization", "Token " + config.apiKey().value())
            .putHeader("Content-Type", request.contentType());
    if (request.language() != null) {
      post.addQueryParam("language", request.language());
    }
    return answered(post.sendBuffer(Buffer.buffer(request.audio())))
        .map(
            response ->
                text(
                    response,
                    json ->
                        json.getJsonObject("results")
                            .getJsonArray("channels")
                            .getJsonObject(0)
                            .getJsonArray("alternatives")
                            .getJsonObject(0)
                            .getValue("transcript"),
                    "results.channels[0].alternatives[0].transcript"));
  }
}
