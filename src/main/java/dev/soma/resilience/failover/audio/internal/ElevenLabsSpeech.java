package dev.soma.resilience.failover.audio.internal;

import dev.soma.resilience.config.AudioConfig;
import dev.soma.resilience.failover.audio.SpeechRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;

/**
 * ElevenLabs: {@code POST {base}/v1/text-to-speech/{voice_id}}, {@code xi-api-key}, audio bytes
 * back.
 */
public final class ElevenLabsSpeech implements Link<SpeechRequest, SynthesizedAudio> {

  private final WebClient client;
  private final AudioConfig.ElevenLabs config;
  private final Clock clock;
  private final long timeoutMillis;

  public ElevenLabsSpeech(
      WebClient client, AudioConfig.ElevenLabs config, Clock clock, long timeoutMillis) {
    this.client = client;
    this.config = config;
    this.clock = clock;
    this.timeoutMillis = timeoutMillis;
  }

  @Override
  public String name() {
    return "elevenlabs";
  }

  @Override
  public boolean configured() {
    return config.apiKey().isSet();
  }

  @Override
  public Future<SynthesizedAudio> call(SpeechRequest request) {
    return client
        .postAbs(Endpoints.url(config.baseUrl(), "/v1/text-to-speech/" + config.voiceId()))
        .putHeader("xi-api-key", config.apiKey().value())
        .putHeader("Accept", "audio/mpeg")
        .timeout(timeoutMillis)
        .sendJsonObject(
            new JsonObject().put("text", request.text()).put("model_id", config.modelId()))
        .map(
            response ->
                SynthesizedAudio.from(name(), HttpAnswers.require2xx(name(), response, clock)));
  }
}
