package dev.soma.resilience.failover.llm;

import dev.soma.resilience.breaker.BreakerPanel;
import dev.soma.resilience.breaker.CircuitBreakers;
import dev.soma.resilience.cluster.InFlight;
import dev.soma.resilience.config.LlmConfig;
import dev.soma.resilience.degradation.CallReporter;
import dev.soma.resilience.failover.chain.ChainReport;
import dev.soma.resilience.failover.chain.FallbackChain;
import dev.soma.resilience.failover.llm.internal.LlmChain;
import dev.soma.resilience.failover.llm.internal.LlmClient;
import dev.soma.resilience.failover.llm.internal.OpenLinkProbes;
import dev.soma.resilience.failover.llm.internal.ProviderClients;
import dev.soma.resilience.flags.FeatureFlag;
import dev.soma.resilience.flags.FlagBook;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provider failover for LLMs, reached over the event bus at {@link FailoverAddresses#LLM_COMPLETE}
 * and {@link FailoverAddresses#LLM_STREAM}. Owns the HTTP client, the providers' breakers and the
 * {@link LlmChain}; deploy one instance per process, so every request sees the same breakers.
 *
 * <p>A request of a tenant {@link FeatureFlag#LLM_CANARY_CHAIN} is on for goes to the chain {@code
 * <useCase>-canary} where one is configured (its breakers, metrics and errors are that chain's),
 * else to its use case's own chain. The flag is asked per request, so a change applies to the next
 * request without a restart.
 */
public final class LlmFailoverVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(LlmFailoverVerticle.class);

  private final LlmConfig config;
  private final MeterRegistry registry;
  private final Clock clock;
  private final BreakerPanel panel;
  private final FlagBook flags;
  private ProviderClients providers;
  private LlmChain chain;
  private OpenLinkProbes probes;

  /** Every request on its use case's own chain (every flag at its default). */
  public LlmFailoverVerticle(
      LlmConfig config, MeterRegistry registry, Clock clock, BreakerPanel panel) {
    this(config, registry, clock, panel, new FlagBook());
  }

  /** Requests on the chain {@code flags} choose for their tenant ({@code llm.canary-chain}). */
  public LlmFailoverVerticle(
      LlmConfig config, MeterRegistry registry, Clock clock, BreakerPanel panel, FlagBook flags) {
    this.config = config;
    this.registry = registry;
    this.clock = clock;
    this.panel = panel;
    this.flags = flags;
  }

  /** A use case's canary chain is the chain named {@code <useCase>-canary}. */
  public static final String CANARY_SUFFIX = "-canary";

  @Override
  public Future<?> start() {
    providers = ProviderClients.open(vertx, config, clock);
    Map<String, LlmClient> clients = providers.byProvider();
    CircuitBreakers breakers =
        FallbackChain.breakers(
            config.breakerFailureThreshold(), config.breakerReset(), clock, registry, panel);
    // every configured provider's gauge at 0 from the start, not from its first call
    config
        .providers()
        .forEach(
            (name, provider) -> {
              if (provider.configured()) {
                breakers.watch("llm." + name);
              }
            });
    chain =
        new LlmChain(
            config,
            clients,
            new FallbackChain(
                "llm",
                breakers,
                clock,
                Optional.empty(), // the clients time their own calls, per token for streams
                ChainReport.llm(CallReporter.on(vertx.eventBus()), registry)),
            wait -> vertx.timer(wait.toMillis()).mapEmpty(),
            clock);
    probes = new OpenLinkProbes(vertx, config, clients, breakers);
    probes.start();
    LOG.info(
        "LLM failover: providers {}; chains {}; open providers probed every {} ms (0: never)",
        config.providers().values(),
        config.chains(),
        config.probeInterval().toMillis());
    MessageConsumer<Object> complete =
        vertx.eventBus().consumer(FailoverAddresses.LLM_COMPLETE, this::complete);
    MessageConsumer<Object> stream =
        vertx.eventBus().consumer(FailoverAddresses.LLM_STREAM, this::stream);
    return Future.all(complete.completion(), stream.completion());
  }

  @Override
  public Future<?> stop() {
    probes.stop();
    return providers.close();
  }

  private void complete(Message<Object> message) {
    parse(message)
        .ifPresent(
            request -> {
              Runnable answered = InFlight.beat(vertx, message);
              chain
                  .complete(request)
                  .onComplete(ar -> answered.run())
                  .onSuccess(reply -> message.reply(reply.toJson()))
                  .onFailure(e -> fail(message, error(e)));
            });
  }

  private void stream(Message<Object> message) {
    Optional<LlmRequest> parsed = parse(message);
    if (parsed.isEmpty()) {
      return;
    }
    LlmRequest request = parsed.get();
    if (request.replyTo().isEmpty()) {
      fail(
          message,
          new LlmError(
              LlmError.BAD_REQUEST,
              "replyTo is required: the address the stream's events go to",
              Optional.empty(),
              List.of()));
      return;
    }
    String to = request.replyTo().get();
    Runnable answered = InFlight.beat(vertx, message);
    message.reply(new JsonObject().put("accepted", true));
    chain.stream(request, text -> vertx.eventBus().send(to, LlmStreamEvent.token(text).toJson()))
        .onComplete(ar -> answered.run())
        .onSuccess(reply -> vertx.eventBus().send(to, LlmStreamEvent.end(reply).toJson()))
        .onFailure(
            e -> {
              boolean partial = e instanceof LlmFailure f && f.partial();
              if (partial) {
                ChainReport.llmStreamsCut(registry, request.useCase()).increment();
              }
              vertx.eventBus().send(to, LlmStreamEvent.error(partial, error(e)).toJson());
            });
  }

  private Optional<LlmRequest> parse(Message<Object> message) {
    try {
      if (!(message.body() instanceof JsonObject json)) {
        throw new IllegalArgumentException("the request must be a JSON object");
      }
      return Optional.of(onItsChain(LlmRequest.fromJson(json)));
    } catch (IllegalArgumentException e) {
      fail(
          message, new LlmError(LlmError.BAD_REQUEST, e.getMessage(), Optional.empty(), List.of()));
      return Optional.empty();
    }
  }

  /** {@code request} on its tenant's canary chain, where the flag and the chain say so. */
  private LlmRequest onItsChain(LlmRequest request) {
    String canary = request.useCase() + CANARY_SUFFIX;
    return flags.isOn(FeatureFlag.LLM_CANARY_CHAIN, request.tenant())
            && config.chain(canary).isPresent()
        ? request.withUseCase(canary)
        : request;
  }

  private static LlmError error(Throwable failure) {
    if (failure instanceof LlmFailure chainFailure) {
      return chainFailure.error();
    }
    LOG.error("LLM failover failed unexpectedly", failure);
    return new LlmError(
        LlmError.UNAVAILABLE, "internal error: " + failure, Optional.empty(), List.of());
  }

  private static void fail(Message<?> message, LlmError error) {
    message.fail(error.status(), error.toJson().encode());
  }
}
