package dev.soma.resilience.failover.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.breaker.BreakerPanel;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.providers.DeepgramDouble;
import dev.soma.resilience.testing.providers.ElevenLabsDouble;
import dev.soma.resilience.testing.providers.KokoroDouble;
import dev.soma.resilience.testing.providers.OpenAiAudioDouble;
import dev.soma.resilience.testing.providers.ProviderDouble;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The audio degradation scenario end to end over the event bus, against real HTTP doubles of every
 * provider: detection, fallback, what the user sees, recovery.
 */
class AudioFailoverIT {

  private final Vertx vertx = Vertx.vertx();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final ElevenLabsDouble elevenlabs = new ElevenLabsDouble(vertx, "el-key");
  private final OpenAiAudioDouble openai = new OpenAiAudioDouble(vertx, "oa-key");
  private final KokoroDouble kokoro = new KokoroDouble(vertx);
  private final DeepgramDouble deepgram = new DeepgramDouble(vertx, "dg-key");

  @AfterEach
  void tearDown() throws Exception {
    Blocking.await(vertx.close(), Duration.ofSeconds(10));
  }

  enum Fault {
    DOWN(ProviderDouble::down),
    SLOW(d -> d.slow(Duration.ofSeconds(5))),
    RATE_LIMITED(d -> d.rateLimit(30)),
    SERVER_ERROR(d -> d.failWith(503)),
    BAD_KEY(d -> d.failWith(401)),
    MALFORMED(ProviderDouble::malformed),
    CUT_MID_BODY(ProviderDouble::cutMidBody);

    final Consumer<ProviderDouble> apply;

    Fault(Consumer<ProviderDouble> apply) {
      this.apply = apply;
    }
  }

  @Test
  void theHealthyPrimaryServesAndTheReplySaysSo() throws Exception {
    deploy(Map.of());

    SpeechReply reply = speak("hello there");

    assertThat(reply.provider()).isEqualTo("elevenlabs");
    assertThat(reply.fallbackMode()).isFalse();
    assertThat(reply.audio()).isEqualTo(ElevenLabsDouble.audioFor("hello there"));
    assertThat(reply.contentType()).isEqualTo("audio/mpeg");
    ProviderDouble.Recorded call = elevenlabs.requests().get(0);
    assertThat(call.path()).isEqualTo("/v1/text-to-speech/voice-1");
    assertThat(call.header("xi-api-key")).isEqualTo("el-key");
    assertThat(call.body().toJsonObject().getString("model_id")).isEqualTo("eleven_test");
    assertThat(openai.requests()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Fault.class)
  void aFailingPrimaryIsReplacedTransparentlyByTheNextProvider(Fault fault) throws Exception {
    deploy(Map.of());
    fault.apply.accept(elevenlabs);

    SpeechReply reply = speak("fail over please");

    assertThat(reply.provider()).isEqualTo("openai");
    assertThat(reply.audio()).isEqualTo(OpenAiAudioDouble.audioFor("fail over please"));
    JsonObject sent = openai.requests().get(0).body().toJsonObject();
    assertThat(sent.getString("model")).isEqualTo("tts-1");
    assertThat(sent.getString("voice")).isEqualTo("nova");
    assertThat(sent.getString("input")).isEqualTo("fail over please");
    assertThat(openai.requests().get(0).header("Authorization")).isEqualTo("Bearer oa-key");
    assertThat(
            meters
                .counter(
                    "media.failover.count",
                    "kind",
                    "tts",
                    "from_provider",
                    "elevenlabs",
                    "to_provider",
                    "openai")
                .count())
        .isEqualTo(1.0);
  }

  @Test
  void kokoroServesWhenBothCloudProvidersFail() throws Exception {
    deploy(Map.of());
    elevenlabs.failWith(500);
    openai.down();

    SpeechReply reply = speak("local voice");

    assertThat(reply.provider()).isEqualTo("kokoro");
    assertThat(reply.audio()).isEqualTo(KokoroDouble.audioFor("local voice"));
    JsonObject sent = kokoro.requests().get(0).body().toJsonObject();
    assertThat(sent.getString("voice")).isEqualTo("af_test");
    assertThat(sent.getDouble("speed")).isEqualTo(1.25);
    assertThat(sent.getString("format")).isEqualTo("mp3");
  }

  @Test
  void whenEveryProviderFailsTheClientIsToldToSpeakItselfInFallbackMode() throws Exception {
    deploy(Map.of());
    elevenlabs.down();
    openai.failWith(502);
    kokoro.malformed();

    SpeechReply reply = speak("say it yourself");

    assertThat(reply.provider()).isEqualTo("browser/native");
    assertThat(reply.fallbackMode()).isTrue();
    assertThat(reply.message()).isEqualTo("voice in fallback mode");
    assertThat(reply.audio()).isNull();
    assertThat(reply.directive().getString("type")).isEqualTo("client-speech-synthesis");
    assertThat(reply.directive().getString("text")).isEqualTo("say it yourself");
  }

  @Test
  void aRequestTheProviderRejectsAsWrongFailsWithoutFailingOver() throws Exception {
    deploy(Map.of());
    elevenlabs.failWith(400);

    assertThatThrownBy(() -> speak("bad"))
        .isInstanceOfSatisfying(
            ReplyException.class,
            e -> assertThat(e.failureCode()).isEqualTo(AudioAddresses.CALLER_FAULT));
    assertThat(openai.requests()).isEmpty();
    assertThat(kokoro.requests()).isEmpty();
  }

  @Test
  void anInvalidRequestIsRefusedBeforeAnyProviderIsCalled() throws Exception {
    deploy(Map.of());

    assertThatThrownBy(
            () ->
                send(
                    AudioAddresses.TTS_SYNTHESIZE,
                    new JsonObject().put("tenantId", "acme").put("text", "")))
        .isInstanceOfSatisfying(
            ReplyException.class, e -> assertThat(e.failureCode()).isEqualTo(400));
    assertThat(elevenlabs.requests()).isEmpty();
  }

  @Test
  void aProviderWithoutCredentialIsSkippedAsNotConfigured() throws Exception {
    deploy(Map.of("SA01_AUDIO_ELEVENLABS_API_KEY", ""));

    SpeechReply reply = speak("no key");

    assertThat(reply.provider()).isEqualTo("openai");
    assertThat(elevenlabs.requests()).isEmpty();
    // openai is the first configured provider: this is not a failover
    assertThat(meters.find("media.failover.count").counters()).isEmpty();
  }

  @Test
  void aRateLimitedProviderIsLeftAloneForItsRetryAfterThenUsedAgain() throws Exception {
    deploy(Map.of("SA01_AUDIO_BREAKER_FAILURE_THRESHOLD", "100"));
    elevenlabs.rateLimit(3);

    assertThat(speak("one").provider()).isEqualTo("openai");
    elevenlabs.healthy();
    assertThat(speak("two").provider()).isEqualTo("openai");
    assertThat(elevenlabs.requests()).hasSize(1);

    await()
        .atMost(Duration.ofSeconds(8))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> speak("three").provider().equals("elevenlabs"));
  }

  @Test
  void aRecoveredPrimaryGetsItsTrafficBackAfterTheBreakerResetTimeout() throws Exception {
    deploy(
        Map.of("SA01_AUDIO_BREAKER_FAILURE_THRESHOLD", "2", "SA01_AUDIO_BREAKER_RESET_MS", "1500"));
    elevenlabs.failWith(503);
    speak("a");
    speak("b");
    assertThat(elevenlabs.requests()).hasSize(2);

    assertThat(speak("c").provider()).isEqualTo("openai");
    assertThat(elevenlabs.requests()).as("open breaker: not even tried").hasSize(2);

    elevenlabs.healthy();
    assertThat(speak("d").provider()).as("still within the reset timeout").isEqualTo("openai");
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> speak("e").provider().equals("elevenlabs"));
    assertThat(speak("f").provider()).isEqualTo("elevenlabs");
  }

  @Test
  void whisperTranscribesThroughMultipartAndTheReplyNamesIt() throws Exception {
    deploy(Map.of());

    TranscriptionReply reply = transcribe();

    assertThat(reply.provider()).isEqualTo("openai");
    assertThat(reply.text()).isEqualTo(OpenAiAudioDouble.TRANSCRIPT);
    ProviderDouble.Recorded call = openai.requests().get(0);
    assertThat(call.path()).isEqualTo("/v1/audio/transcriptions");
    assertThat(call.header("Content-Type")).startsWith("multipart/form-data");
    String form = call.body().toString(StandardCharsets.ISO_8859_1);
    assertThat(form).contains("name=\"file\"", "RIFF-sample-audio", "whisper-1");
  }

  @ParameterizedTest
  @EnumSource(Fault.class)
  void deepgramTakesOverWhenWhisperFails(Fault fault) throws Exception {
    deploy(Map.of());
    fault.apply.accept(openai);

    TranscriptionReply reply = transcribe();

    assertThat(reply.provider()).isEqualTo("deepgram");
    assertThat(reply.text()).isEqualTo(DeepgramDouble.TRANSCRIPT);
    ProviderDouble.Recorded call = deepgram.requests().get(0);
    assertThat(call.header("Authorization")).isEqualTo("Token dg-key");
    assertThat(call.header("Content-Type")).isEqualTo("audio/wav");
    assertThat(call.body().toString(StandardCharsets.UTF_8)).isEqualTo("RIFF-sample-audio");
  }

  @Test
  void whenNoRecognizerAnswersTheClientListensItselfInFallbackMode() throws Exception {
    deploy(Map.of());
    openai.down();
    deepgram.malformed();

    TranscriptionReply reply = transcribe();

    assertThat(reply.provider()).isEqualTo("browser/native");
    assertThat(reply.fallbackMode()).isTrue();
    assertThat(reply.message()).isEqualTo("voice in fallback mode");
    assertThat(reply.directive().getString("type")).isEqualTo("client-speech-recognition");
    assertThat(reply.text()).isNull();
  }

  @Test
  void audioLargerThanTheBusLimitIsRefused() throws Exception {
    deploy(Map.of("SA01_AUDIO_MAX_AUDIO_BYTES", "1024"));

    assertThatThrownBy(
            () ->
                send(
                    AudioAddresses.STT_TRANSCRIBE,
                    new TranscriptionRequest(
                            "acme", "r-1", new byte[2048], "audio/wav", "a.wav", null)
                        .toJson()))
        .isInstanceOfSatisfying(
            ReplyException.class,
            e -> assertThat(e.failureCode()).isEqualTo(AudioAddresses.TOO_LARGE));
  }

  private void deploy(Map<String, String> overrides) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("SA01_AUDIO_TIMEOUT_MS", "2500");
    env.put("SA01_AUDIO_ELEVENLABS_BASE_URL", elevenlabs.baseUrl());
    env.put("SA01_AUDIO_ELEVENLABS_API_KEY", "el-key");
    env.put("SA01_AUDIO_ELEVENLABS_VOICE_ID", "voice-1");
    env.put("SA01_AUDIO_ELEVENLABS_MODEL_ID", "eleven_test");
    env.put("SA01_AUDIO_OPENAI_BASE_URL", openai.baseUrl());
    env.put("SA01_AUDIO_OPENAI_API_KEY", "oa-key");
    env.put("SA01_AUDIO_OPENAI_TTS_VOICE", "nova");
    env.put("SA01_AUDIO_KOKORO_BASE_URL", kokoro.baseUrl());
    env.put("SA01_AUDIO_KOKORO_VOICE", "af_test");
    env.put("SA01_AUDIO_KOKORO_SPEED", "1.25");
    env.put("SA01_AUDIO_DEEPGRAM_BASE_URL", deepgram.baseUrl());
    env.put("SA01_AUDIO_DEEPGRAM_API_KEY", "dg-key");
    env.putAll(overrides);
    ServiceConfig config = OutboxFixture.config(env);
    Blocking.await(
        vertx.deployVerticle(
            new AudioFailoverVerticle(
                config.audio(), meters, Clock.systemUTC(), new BreakerPanel())),
        Duration.ofSeconds(10));
  }

  private SpeechReply speak(String text) throws Exception {
    return SpeechReply.fromJson(
        send(
            AudioAddresses.TTS_SYNTHESIZE,
            new SpeechRequest("acme", "req-" + text, text, null).toJson()));
  }

  private TranscriptionReply transcribe() throws Exception {
    return TranscriptionReply.fromJson(
        send(
            AudioAddresses.STT_TRANSCRIBE,
            new TranscriptionRequest(
                    "acme",
                    "req-stt",
                    "RIFF-sample-audio".getBytes(StandardCharsets.UTF_8),
                    "audio/wav",
                    "sample.wav",
                    null)
                .toJson()));
  }

  private JsonObject send(String address, JsonObject body) throws Exception {
    return Blocking.await(
            vertx
                .eventBus()
                .<JsonObject>request(address, body, new DeliveryOptions().setSendTimeout(15_000)),
            Duration.ofSeconds(20))
        .body();
  }
}
