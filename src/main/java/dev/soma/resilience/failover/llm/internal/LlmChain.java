package dev.soma.resilience.failover.llm.internal;

import dev.soma.resilience.breaker.CircuitBreakers;
import dev.soma.resilience.config.LlmConfig;
import dev.soma.resilience.failover.chain.FallbackChain;
import dev.soma.resilience.failover.chain.Hop;
import dev.soma.resilience.failover.chain.Served;
import dev.soma.resilience.failover.chain.Walk;
import dev.soma.resilience.failover.llm.Failover;
import dev.soma.resilience.failover.llm.LlmError;
import dev.soma.resilience.failover.llm.LlmFailure;
import dev.soma.resilience.failover.llm.LlmReply;
import dev.soma.resilience.failover.llm.LlmRequest;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Serves a request from the first link of its use case's chain that can, through the {@link
 * FallbackChain} engine (kind {@code llm}: breaker and degradation names are {@code
 * llm.<provider>}, per provider and per (provider, tenant), see {@link CircuitBreakers}). It skips
 * providers that are not configured, open or held off by their Retry-After, and fails over on any
 * failure that is not the caller's fault; a request a provider rejects as wrong (400/413/422) fails
 * at once with 400. The LLM's own needs are hooks of the walk: the request's deadline; a stream
 * stops failing over once a token reached the caller; when every link refused the call, the one
 * that recovers soonest is tried once if it recovers within {@code llm.maxRecoveryWaitMs} and
 * before the deadline, else the request fails at once with 503 and a retry-after.
 *
 * <p>Event-loop confined: one per verticle (its breakers are thread-safe).
 */
public final class LlmChain {

  private final LlmConfig config;
  private final Map<String, LlmClient> clients;
  private final FallbackChain engine;
  private final Function<Duration, Future<Void>> sleeper;
  private final Clock clock;

  /** {@code sleeper} waits (a timer) when every link refused; {@code engine} is of kind llm. */
  public LlmChain(
      LlmConfig config,
      Map<String, LlmClient> clients,
      FallbackChain engine,
      Function<Duration, Future<Void>> sleeper,
      Clock clock) {
    this.config = config;
    this.clients = Map.copyOf(clients);
    this.engine = engine;
    this.sleeper = sleeper;
    this.clock = clock;
  }

  /** A whole answer; fails with {@link LlmFailure}. */
  public Future<LlmReply> complete(LlmRequest request) {
    return walk(request, Optional.empty());
  }

  /**
   * A streamed answer: tokens go to {@code tokens} as they arrive. Fails over only while no token
   * has been passed on; after that a failure is an {@link LlmFailure} marked partial.
   */
  public Future<LlmReply> stream(LlmRequest request, Consumer<String> tokens) {
    return walk(request, Optional.of(tokens));
  }

  private Future<LlmReply> walk(LlmRequest request, Optional<Consumer<String>> tokens) {
    Optional<List<LlmConfig.Link>> links = config.chain(request.useCase());
    if (links.isEmpty()) {
      return Future.failedFuture(
          new LlmFailure(
              LlmErrors.of(
                  LlmError.BAD_REQUEST,
                  "unknown use case '"
                      + request.useCase()
                      + "'; configured: "
                      + String.join(", ", config.chains().keySet())),
              false));
    }
    LlmLink.Delivered delivered = new LlmLink.Delivered();
    List<LlmLink> chain =
        links.get().stream()
            .map(l -> new LlmLink(config, l, clients.get(l.provider()), tokens, delivered))
            .toList();
    Walk walk =
        Walk.of(request.tenant(), request.useCase())
            .deadline(clock.millis() + request.deadlineMs().orElse(config.deadline().toMillis()))
            .reachedCaller(delivered::yes)
            .waitForSoonest(config.maxRecoveryWait(), sleeper);
    return engine
        .walk(chain, request, walk)
        .map(LlmChain::reply)
        .recover(e -> Future.failedFuture(LlmErrors.failure(e, request)));
  }

  private static LlmReply reply(Served<Completion> served) {
    Completion completion = served.result();
    return new LlmReply(
        served.provider(),
        completion.model(),
        completion.content(),
        completion.finishReason(),
        failovers(served.failovers()),
        completion.usage());
  }

  static List<Failover> failovers(List<Hop> hops) {
    return hops.stream().map(h -> new Failover(h.from(), h.to(), h.reason())).toList();
  }
}
