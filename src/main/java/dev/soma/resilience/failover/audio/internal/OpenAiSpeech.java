package dev.soma.resilience.failover.audio.internal;

import dev.soma.resilience.config.AudioConfig;
import dev.soma.resilience.failover.audio.SpeechRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * OpenAI TTS: {@code POST {base}/v1/audio/speech} {@code {model, input, voice, response_format}}.
 */
public final class OpenAiSpeech extends AudioLink<SpeechRequest, SynthesizedAudio> {

  private final AudioConfig.OpenAi config;

  public OpenAiSpeech(AudioHttp http, AudioConfig.OpenAi config) {
    super("openai", config.apiKey().isSet(), http);
    this.config = config;
  }

  @Override
  Future<SynthesizedAudio> call(SpeechRequest request) {
    JsonObject body =
        new JsonObject()
            .put("model", config.ttsModel())
            .put("input", request.text())
            .put("voice", config.ttsVoice())
            .put("response_format", request.format());
    return audio(
        http.post(config.baseUrl(), "/v1/audio/speech")
            .putHeader("Authorization", "Bearer " + config.apiKey().value())
            .sendJsonObject(body));
  }
}
