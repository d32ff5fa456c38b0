package dev.soma.resilience.failover.audio.internal;

import dev.soma.resilience.config.AudioConfig;
import dev.soma.resilience.failover.audio.SpeechRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;

/**
 * Self-hosted Kokoro: {@code POST {base}/synthesize} {@code {text, voice, speed, format}}. It has
 * no credential, so it counts as configured when its base URL is set.
 */
public final class KokoroSpeech implements Link<SpeechRequest, SynthesizedAudio> {

  private final WebClient client;
  private final AudioConfig.Kokoro config;
  private final Clock clock;
  private final long timeoutMillis;

  public KokoroSpeech(
      WebClient client, AudioConfig.Kokoro config, Clock clock, long timeoutMillis) {
    this.client = client;
    this.config = config;
    this.clock = clock;
    this.timeoutMillis = timeoutMillis;
  }

  @Override
  public String name() {
    return "kokoro";
  }

  @Override
  public boolean configured() {
    return config.baseUrl().isPresent();
  }

  @Override
  public Future<SynthesizedAudio> call(SpeechRequest request) {
    return client
        .postAbs(Endpoints.url(config.baseUrl().orElseThrow(), "/synthesize"))
        .timeout(timeoutMillis)
        .sendJsonObject(
            new JsonObject()
                .put("text", request.text())
                .put("voice", config.voice())
                .put("speed", config.speed())
                .put("format", request.format()))
        .map(
            response ->
                SynthesizedAudio.from(name(), HttpAnswers.require2xx(name(), response, clock)));
  }
}
