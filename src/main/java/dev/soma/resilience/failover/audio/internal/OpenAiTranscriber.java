package dev.soma.resilience.failover.audio.internal;

import dev.soma.resilience.config.AudioConfig;
import dev.soma.resilience.failover.audio.TranscriptionRequest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.multipart.MultipartForm;

/**
 * OpenAI STT: {@code POST {base}/v1/audio/transcriptions}, multipart {@code file} and {@code
 * model}; {@code {text}} back.
 */
public final class OpenAiTranscriber extends AudioLink<TranscriptionRequest, String> {

  private final AudioConfig.OpenAi config;

  public OpenAiTranscriber(AudioHttp http, AudioConfig.OpenAi config) {
    super("openai", config.apiKey().isSet(), http);
    this.config = config;
  }

  @Override
  Future<String> call(TranscriptionRequest request) {
    MultipartForm form =
        MultipartForm.create()
            .binaryFileUpload(
                "file", request.fileName(), Buffer.buffer(request.audio()), request.contentType())
            .attribute("model", config.sttModel());
    if (request.language() != null) {
      form.attribute("language", request.language());
    }
    return answered(
            http.post(config.baseUrl(), "/v1/audio/transcriptions")
                .putHeader("Authorization", "Bearer " + config.apiKey().value())
                .sendMultipartForm(form))
        .map(response -> text(response, json -> json.getValue("text"), "JSON {text}"));
  }
}
