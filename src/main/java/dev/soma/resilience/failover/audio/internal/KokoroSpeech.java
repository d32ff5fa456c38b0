package dev.soma.resilience.failover.audio.internal;

import dev.soma.resilience.config.AudioConfig;
import dev.soma.resilience.failover.audio.SpeechRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Self-hosted Kokoro: {@code POST {base}/synthesize} {@code {text, voice, speed, format}}. It has
 * no credential, so it counts as configured when its base URL is set.
 */
public final class KokoroSpeech extends AudioLink<SpeechRequest, SynthesizedAudio> {

  private final AudioConfig.Kokoro config;

  public KokoroSpeech(AudioHttp http, AudioConfig.Kokoro config) {
    super("kokoro", config.baseUrl().isPresent(), http);
    this.config = config;
  }

  @Override
  Future<SynthesizedAudio> call(SpeechRequest request) {
    JsonObject body =
        new JsonObject()
            .put("text", request.text())
            .put("voice", config.voice())
            .put("speed", config.speed())
            .put("format", request.format());
    return audio(http.post(config.baseUrl().orElseThrow(), "/synthesize").sendJsonObject(body));
  }
}
