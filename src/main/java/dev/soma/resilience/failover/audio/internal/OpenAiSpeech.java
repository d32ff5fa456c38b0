package dev.soma.resilience.failover.audio.internal;

import dev.soma.resilience.config.AudioConfig;
import dev.soma.resilience.failover.audio.SpeechRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;

/**
 * OpenAI TTS: {@code POST {base}/v1/audio/speech} {@code {model, input, voice, response_format}}.
 */
public final class OpenAiSpeech implements Link<SpeechRequest, SynthesizedAudio> {

  private final WebClient client;
  private final AudioConfig.OpenAi config;
  private final Clock clock;
  private final long timeoutMillis;

  public OpenAiSpeech(
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
  public Future<SynthesizedAudio> call(SpeechRequest request) {
    return client
        .postAbs(Endpoints.url(config.baseUrl(), "/v1/audio/speech"))
        .putHeader("Authorization", "Bearer " + config.apiKey().value())
        .timeout(timeoutMillis)
        .sendJsonObject(
            new JsonObject()
                .put("model", config.ttsModel())
                .put("input", request.text())
                .put("voice", config.ttsVoice())
                .put("response_format", request.format()))
        .map(
            response ->
                SynthesizedAudio.from(name(), HttpAnswers.require2xx(name(), response, clock)));
  }
}
