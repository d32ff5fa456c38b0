package dev.soma.resilience.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The audio failover chains' providers (TTS: ElevenLabs, OpenAI, Kokoro; STT: OpenAI, Deepgram) and
 * limits. A provider whose credential is empty (Kokoro: whose base URL is empty) is not configured
 * and is skipped by its chain; it is never counted as failed.
 *
 * @param timeout the longest one provider call may take before the chain moves on
 * @param maxAudioBytes the largest audio a request may carry (base64 on the event bus)
 * @param breakerFailureThreshold consecutive failures that open a provider's breaker
 * @param breakerReset how long an open breaker waits before a trial call
 * @throws ConfigException when a count is below 1, a duration is not positive, a provider lacks its
 *     base URL or a model/voice, or Kokoro's speed is outside 0.5-2.0
 */
public record AudioConfig(
    Duration timeout,
    int maxAudioBytes,
    int breakerFailureThreshold,
    Duration breakerReset,
    ElevenLabs elevenlabs,
    OpenAi openai,
    Deepgram deepgram,
    Kokoro kokoro) {

  /**
   * ElevenLabs TTS: {@code POST {baseUrl}/v1/text-to-speech/{voiceId}}, header {@code xi-api-key}.
   */
  public record ElevenLabs(URI baseUrl, Secret apiKey, String voiceId, String modelId) {
    public ElevenLabs {
      Require.present("audio.elevenlabs.baseUrl", baseUrl);
      Require.present("audio.elevenlabs.apiKey", apiKey);
      Require.nonEmpty("audio.elevenlabs.voiceId", voiceId);
      Require.nonEmpty("audio.elevenlabs.modelId", modelId);
    }
  }

  /** OpenAI TTS ({@code /v1/audio/speech}) and STT ({@code /v1/audio/transcriptions}). */
  public record OpenAi(
      URI baseUrl, Secret apiKey, String ttsModel, String ttsVoice, String sttModel) {
    public OpenAi {
      Require.present("audio.openai.baseUrl", baseUrl);
      Require.present("audio.openai.apiKey", apiKey);
      Require.nonEmpty("audio.openai.ttsModel", ttsModel);
      Require.nonEmpty("audio.openai.ttsVoice", ttsVoice);
      Require.nonEmpty("audio.openai.sttModel", sttModel);
    }
  }

  /** Deepgram STT: {@code POST {baseUrl}/v1/listen}, header {@code Authorization: Token}. */
  public record Deepgram(URI baseUrl, Secret apiKey, String model) {
    public Deepgram {
      Require.present("audio.deepgram.baseUrl", baseUrl);
      Require.present("audio.deepgram.apiKey", apiKey);
      Require.nonEmpty("audio.deepgram.model", model);
    }
  }

  /** Self-hosted Kokoro TTS: {@code POST {baseUrl}/synthesize}; no credential. */
  public record Kokoro(Optional<URI> baseUrl, String voice, double speed) {
    public Kokoro {
      Require.present("audio.kokoro.baseUrl", baseUrl);
      Require.nonEmpty("audio.kokoro.voice", voice);
      Require.numberIn("audio.kokoro.speed", speed, 0.5, 2.0);
    }
  }

  public AudioConfig {
    ChainLimits.require(
        "audio", "maxAudioBytes", timeout, maxAudioBytes, breakerFailureThreshold, breakerReset);
    Require.present("audio.elevenlabs", elevenlabs);
    Require.present("audio.openai", openai);
    Require.present("audio.deepgram", deepgram);
    Require.present("audio.kokoro", kokoro);
  }

  static AudioConfig from(Settings s) {
    double kokoroSpeed = s.numberIn("audio.kokoro.speed", 0.5, 2.0);
    ChainLimits limits = ChainLimits.from(s, "audio", "maxAudioBytes");
    return new AudioConfig(
        limits.timeout(),
        limits.maxBytes(),
        limits.breakerFailureThreshold(),
        limits.breakerReset(),
        new ElevenLabs(
            s.httpUrl("audio.elevenlabs.baseUrl"),
            new Secret(s.string("audio.elevenlabs.apiKey")),
            s.nonEmpty("audio.elevenlabs.voiceId"),
            s.nonEmpty("audio.elevenlabs.modelId")),
        new OpenAi(
            s.httpUrl("audio.openai.baseUrl"),
            new Secret(s.string("audio.openai.apiKey")),
            s.nonEmpty("audio.openai.ttsModel"),
            s.nonEmpty("audio.openai.ttsVoice"),
            s.nonEmpty("audio.openai.sttModel")),
        new Deepgram(
            s.httpUrl("audio.deepgram.baseUrl"),
            new Secret(s.string("audio.deepgram.apiKey")),
            s.nonEmpty("audio.deepgram.model")),
        new Kokoro(
            s.url("audio.kokoro.baseUrl", "http", "https"),
            s.nonEmpty("audio.kokoro.voice"),
            kokoroSpeed));
  }
}
