package dev.soma.resilience.failover.audio;

import dev.soma.resilience.config.AudioConfig;
import dev.soma.resilience.degradation.CallReporter;
import dev.soma.resilience.failover.audio.internal.DeepgramTranscriber;
import dev.soma.resilience.failover.audio.internal.ElevenLabsSpeech;
import dev.soma.resilience.failover.audio.internal.FailoverMetrics;
import dev.soma.resilience.failover.audio.internal.FallbackChain;
import dev.soma.resilience.failover.audio.internal.KokoroSpeech;
import dev.soma.resilience.failover.audio.internal.OpenAiSpeech;
import dev.soma.resilience.failover.audio.internal.OpenAiTranscriber;
import dev.soma.resilience.failover.audio.internal.ProviderCallFailure;
import dev.soma.resilience.failover.audio.internal.SynthesizedAudio;
import dev.soma.resilience.failover.breaker.BreakerSettings;
import dev.soma.resilience.failover.breaker.CallOutcome;
import dev.soma.resilience.failover.breaker.CircuitBreakers;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link AudioAddresses}: text to speech through elevenlabs, openai (tts-1), kokoro, then
 * the browser's own speech API; speech to text through openai (whisper), deepgram, then the
 * browser. Fails over transparently on refused connections, timeouts, 429, 5xx, 401/403 and
 * malformed answers; a request a provider refuses as wrong (400/422) fails with code {@link
 * AudioAddresses#CALLER_FAULT} and is not tried elsewhere. Every reply names its provider; the
 * browser link answers with a directive and {@value BrowserDirective#MESSAGE}. A primary gets its
 * traffic back once its breaker lets a trial call through and it succeeds.
 */
public final class AudioFailoverVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AudioFailoverVerticle.class);

  private final AudioConfig config;
  private final MeterRegistry registry;
  private final Clock clock;
  private WebClient client;
  private FallbackChain<SpeechRequest, SynthesizedAudio> speech;
  private FallbackChain<TranscriptionRequest, String> transcription;
  private FailoverMetrics metrics;

  public AudioFailoverVerticle(AudioConfig config, MeterRegistry registry, Clock clock) {
    this.config = config;
    this.registry = registry;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    client = WebClient.create(vertx);
    long timeout = config.timeout().toMillis();
    CircuitBreakers breakers =
        new CircuitBreakers(
            clock,
            new BreakerSettings(config.breakerFailureThreshold(), config.breakerReset(), 1),
            Map.of(),
            registry,
            t ->
                LOG.warn(
                    "audio breaker {} (tenant {}): {} -> {}",
                    t.dependency(),
                    t.tenant(),
                    t.from(),
                    t.to()));
    metrics = new FailoverMetrics(registry);
    speech =
        new FallbackChain<>(
            "tts",
            List.of(
                new ElevenLabsSpeech(client, config.elevenlabs(), clock, timeout),
                new OpenAiSpeech(client, config.openai(), clock, timeout),
                new KokoroSpeech(client, config.kokoro(), clock, timeout)),
            breakers,
            config.timeout(),
            clock,
            metrics,
            CallReporter.on(vertx.eventBus()));
    transcription =
        new FallbackChain<>(
            "stt",
            List.of(
                new OpenAiTranscriber(client, config.openai(), clock, timeout),
                new DeepgramTranscriber(client, config.deepgram(), clock, timeout)),
            breakers,
            config.timeout(),
            clock,
            metrics,
            CallReporter.on(vertx.eventBus()));
    MessageConsumer<JsonObject> tts =
        vertx.eventBus().consumer(AudioAddresses.TTS_SYNTHESIZE, this::synthesize);
    MessageConsumer<JsonObject> stt =
        vertx.eventBus().consumer(AudioAddresses.STT_TRANSCRIBE, this::transcribe);
    return Future.all(tts.completion(), stt.completion());
  }

  @Override
  public Future<?> stop() {
    client.close();
    return Future.succeededFuture();
  }

  private void synthesize(Message<JsonObject> message) {
    SpeechRequest request;
    try {
      request = SpeechRequest.fromJson(body(message));
    } catch (IllegalArgumentException e) {
      message.fail(AudioAddresses.CALLER_FAULT, e.getMessage());
      return;
    }
    speech
        .run(request.tenantId(), request.requestId(), request)
        .map(
            served ->
                SpeechReply.served(
                    served.provider(), served.result().bytes(), served.result().contentType()))
        .recover(
            failure ->
                lastResort(
                    failure,
                    request.tenantId(),
                    request.requestId(),
                    speech,
                    "tts",
                    SpeechReply.browserFallback(request)))
        .onSuccess(reply -> message.reply(reply.toJson()))
        .onFailure(failure -> fail(message, failure));
  }

  private void transcribe(Message<JsonObject> message) {
    TranscriptionRequest request;
    try {
      request = TranscriptionRequest.fromJson(body(message));
    } catch (IllegalArgumentException e) {
      message.fail(AudioAddresses.CALLER_FAULT, e.getMessage());
      return;
    }
    if (request.audio().length > config.maxAudioBytes()) {
      message.fail(
          AudioAddresses.TOO_LARGE,
          "audio must be at most "
              + config.maxAudioBytes()
              + " bytes, but was "
              + request.audio().length);
      return;
    }
    transcription
        .run(request.tenantId(), request.requestId(), request)
        .map(served -> TranscriptionReply.served(served.provider(), served.result()))
        .recover(
            failure ->
                lastResort(
                    failure,
                    request.tenantId(),
                    request.requestId(),
                    transcription,
                    "stt",
                    TranscriptionReply.browserFallback(request)))
        .onSuccess(reply -> message.reply(reply.toJson()))
        .onFailure(failure -> fail(message, failure));
  }

  /** The browser link, unless the caller was at fault: then the failure stands. */
  private <T> Future<T> lastResort(
      Throwable failure,
      String tenant,
      String requestId,
      FallbackChain<?, ?> chain,
      String kind,
      T browserReply) {
    if (failure instanceof ProviderCallFailure f && f.outcome() == CallOutcome.CALLER_FAULT) {
      return Future.failedFuture(f);
    }
    LOG.warn(
        "{} for tenant {} request {} falls back to {}: {}",
        kind,
        tenant,
        requestId,
        BrowserDirective.PROVIDER,
        failure.getMessage());
    metrics.served(kind, chain.primary(), BrowserDirective.PROVIDER);
    return Future.succeededFuture(browserReply);
  }

  private static JsonObject body(Message<?> message) {
    if (message.body() instanceof JsonObject json) {
      return json;
    }
    throw new IllegalArgumentException("the message body must be a JSON object");
  }

  private static void fail(Message<?> message, Throwable failure) {
    if (failure instanceof ProviderCallFailure f && f.outcome() == CallOutcome.CALLER_FAULT) {
      message.fail(AudioAddresses.CALLER_FAULT, f.getMessage());
    } else {
      LOG.error("audio request failed unexpectedly", failure);
      message.fail(500, String.valueOf(failure.getMessage()));
    }
  }
}
