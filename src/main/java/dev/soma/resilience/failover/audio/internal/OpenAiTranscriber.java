package dev.soma.resilience.failover.audio.internal;

import dev.soma.resilience.config.AudioConfig;
import dev.soma.resilience.failover.audio.TranscriptionRequest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.multipart.MultipartForm;
import java.time.Clock;

/**
 * OpenAI STT: {@code POST {base}/v1/audio/transcriptions}, multipart {@code file} and {@code
 * model}; {@code {text}} back.
 */
public final class OpenAiTranscriber implements Link<TranscriptionRequest, String> {

  private final WebClient client;
  private final AudioConfig.OpenAi config;
  private final Clock clock;
  private final long timeoutMillis;

  public OpenAiTranscriber(
      WebClient client, AudioConfig.OpenAi config, Clock clock, long timeoutMillis) {
    this.client = client;
    this.config = config;
    this.clock = clock;
    this.timeoutMillis = timeoutMillis;
  }

  @Override
  public String name() {
    return "openai";
  }

  @Override
  public boolean configured() {
    return config.apiKey().isSet();
  }

  @Override
  public Future<String> call(TranscriptionRequest request) {
    MultipartForm form =
        MultipartForm.create()
            .binaryFileUpload(
                "file", request.fileName(), Buffer.buffer(request.audio()), request.contentType())
            .attribute("model", config.sttModel());
    if (request.language() != null) {
      form.attribute("language", request.language());
    }
    return client
        .postAbs(Endpoints.url(config.baseUrl(), "/v1/audio/transcriptions"))
        .putHeader("Authorization", "Bearer " + config.apiKey().value())
        .timeout(timeoutMillis)
        .sendMultipartForm(form)
        .map(response -> text(HttpAnswers.require2xx(name(), response, clock)));
  }

  private String text(HttpResponse<Buffer> response) {
    try {
      Object text = new JsonObject(response.body()).getValue("text");
      if (text instanceof String s) {
        return s;
      }
    } catch (RuntimeException e) {
      // reported below
    }
    throw ProviderCallFailure.malformed(name(), "no JSON {text}");
  }
}
