package dev.soma.resilience.failover.audio.internal;

import dev.soma.resilience.config.AudioConfig;
import dev.soma.resilience.failover.audio.SpeechRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * ElevenLabs: {@code POST {base}/v1/text-to-speech/{voice_id}}, {@code xi-api-key}, audio bytes
 * back.
 */
public final class ElevenLabsSpeech extends AudioLink<SpeechRequest, SynthesizedAudio> {

  private final AudioConfig.ElevenLabs config;

  public ElevenLabsSpeech(AudioHttp http, AudioConfig.ElevenLabs config) {
    super("elevenlabs", config.apiKey().isSet(), http);
    this.config = config;
  }

  @Override
  Future<SynthesizedAudio> call(SpeechRequest request) {
    return audio(
        http.post(config.baseUrl(), "/v1/text-to-speech/" + config.voiceId())
            .putHeader("xi-api-key", config.apiKey().value())
            .putHeader("Accept", "audio/mpeg")
            .sendJsonObject(
                new JsonObject().put("text", request.text()).put("model_id", config.modelId())));
  }
}
