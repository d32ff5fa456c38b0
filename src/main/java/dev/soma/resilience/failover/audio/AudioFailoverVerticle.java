package dev.soma.resilience.failover.audio;

import dev.soma.resilience.breaker.BreakerPanel;
import dev.soma.resilience.breaker.CircuitBreakers;
import dev.soma.resilience.cluster.InFlight;
import dev.soma.resilience.config.AudioConfig;
import dev.soma.resilience.degradation.CallReporter;
import dev.soma.resilience.failover.audio.internal.AudioHttp;
import dev.soma.resilience.failover.audio.internal.DeepgramTranscriber;
import dev.soma.resilience.failover.audio.internal.ElevenLabsSpeech;
import dev.soma.resilience.failover.audio.internal.KokoroSpeech;
import dev.soma.resilience.failover.audio.internal.OpenAiSpeech;
import dev.soma.resilience.failover.audio.internal.OpenAiTranscriber;
import dev.soma.resilience.failover.audio.internal.SynthesizedAudio;
import dev.soma.resilience.failover.chain.BusRequest;
import dev.soma.resilience.failover.chain.ChainReport;
import dev.soma.resilience.failover.chain.FallbackChain;
import dev.soma.resilience.failover.chain.Link;
import dev.soma.resilience.failover.chain.Served;
import dev.soma.resilience.failover.chain.Walk;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link AudioAddresses}: text to speech through elevenlabs, openai (tts-1), kokoro, then
 * the browser's own speech API; speech to text through openai (whisper), deepgram, then the
 * browser. Each is a {@link FallbackChain} (kinds {@code tts} and {@code stt}: breakers {@code
 * tts.<provider>}, {@code stt.<provider>}). Fails over transparently on refused connections,
 * timeouts, 429, 5xx, 401/403 and malformed answers; a request a provider refuses as wrong
 * (400/413/422) fails with code {@link AudioAddresses#CALLER_FAULT} and is not tried elsewhere.
 * Every reply names its provider; the browser link answers with a directive and {@value
 * BrowserDirective#MESSAGE}. A primary gets its traffic back once its breaker lets a trial call
 * through and it succeeds.
 */
public final class AudioFailoverVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AudioFailoverVerticle.class);

  private final AudioConfig config;
  private final MeterRegistry registry;
  private final Clock clock;
  private final BreakerPanel panel;
  private WebClient client;
  private AudioChain<SpeechRequest, SynthesizedAudio> speech;
  private AudioChain<TranscriptionRequest, String> transcription;

  public AudioFailoverVerticle(
      AudioConfig config, MeterRegistry registry, Clock clock, BreakerPanel panel) {
    this.config = config;
    this.registry = registry;
    this.clock = clock;
    this.panel = panel;
  }

  @Override
  public Future<?> start() {
    client = WebClient.create(vertx);
    AudioHttp http = new AudioHttp(client, clock, config.timeout().toMillis());
    CircuitBreakers breakers =
        FallbackChain.breakers(
            config.breakerFailureThreshold(), config.breakerReset(), clock, registry, panel);
    speech =
        chain(
            "tts",
            breakers,
            List.of(
                new ElevenLabsSpeech(http, config.elevenlabs()),
                new OpenAiSpeech(http, config.openai()),
                new KokoroSpeech(http, config.kokoro())));
    transcription =
        chain(
            "stt",
            breakers,
            List.of(
                new OpenAiTranscriber(http, config.openai()),
                new DeepgramTranscriber(http, config.deepgram())));
    MessageConsumer<JsonObject> tts =
        vertx.eventBus().consumer(AudioAddresses.TTS_SYNTHESIZE, this::synthesize);
    MessageConsumer<JsonObject> stt =
        vertx.eventBus().consumer(AudioAddresses.STT_TRANSCRIBE, this::transcribe);
    return Future.all(tts.completion(), stt.completion());
  }

  private <Q, R> AudioChain<Q, R> chain(
      String kind, CircuitBreakers breakers, List<Link<Q, R>> links) {
    ChainReport report = ChainReport.media(kind, CallReporter.on(vertx.eventBus()), registry);
    return new AudioChain<>(
        kind,
        new FallbackChain(kind, breakers, clock, Optional.of(config.timeout()), report)
            .watching(links),
        report,
        links);
  }

  @Override
  public Future<?> stop() {
    client.close();
    return Future.succeededFuture();
  }

  private void synthesize(Message<JsonObject> message) {
    BusRequest.parse(message, SpeechRequest::fromJson, AudioAddresses.CALLER_FAULT)
        .ifPresent(
            request ->
                serve(
                    message,
                    speech,
                    request,
                    Walk.of(request.tenantId(), request.requestId()),
                    served ->
                        SpeechReply.served(
                                served.provider(),
                                served.result().bytes(),
                                served.result().contentType())
                            .toJson(),
                    SpeechReply.browserFallback(request).toJson()));
  }

  private void transcribe(Message<JsonObject> message) {
    BusRequest.parse(message, TranscriptionRequest::fromJson, AudioAddresses.CALLER_FAULT)
        .filter(request -> withinLimit(message, request))
        .ifPresent(
            request ->
                serve(
                    message,
                    transcription,
                    request,
                    Walk.of(request.tenantId(), request.requestId()),
                    served ->
                        TranscriptionReply.served(served.provider(), served.result()).toJson(),
                    TranscriptionReply.browserFallback(request).toJson()));
  }

  /** Whether the audio is within {@code maxAudioBytes}; fails {@code message} when it is not. */
  private boolean withinLimit(Message<JsonObject> message, TranscriptionRequest request) {
    if (request.audio().length <= config.maxAudioBytes()) {
      return true;
    }
    message.fail(
        AudioAddresses.TOO_LARGE,
        "audio must be at most "
            + config.maxAudioBytes()
            + " bytes, but was "
            + request.audio().length);
    return false;
  }

  /** Answers {@code message} with what {@code chain} served, the browser's reply included. */
  private <Q, R> void serve(
      Message<JsonObject> message,
      AudioChain<Q, R> chain,
      Q request,
      Walk walk,
      Function<Served<R>, JsonObject> reply,
      JsonObject browserReply) {
    Runnable answered = InFlight.beat(vertx, message);
    chain
        .serve(request, walk, reply, browserReply)
        .onComplete(ar -> answered.run())
        .onSuccess(message::reply)
        .onFailure(failure -> fail(message, failure));
  }

  private static void fail(Message<?> message, Throwable failure) {
    if (AudioChain.rejected(failure)) {
      message.fail(AudioAddresses.CALLER_FAULT, failure.getMessage());
    } else {
      LOG.error("audio request failed unexpectedly", failure);
      message.fail(500, String.valueOf(failure.getMessage()));
    }
  }
}
