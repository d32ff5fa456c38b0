package dev.soma.resilience.failover.llm.internal;

import dev.soma.resilience.config.LlmConfig;
import dev.soma.resilience.failover.breaker.CircuitBreakers;
import dev.soma.resilience.failover.llm.LlmError;
import dev.soma.resilience.failover.llm.LlmReply;
import dev.soma.resilience.failover.llm.LlmRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Serves a request from the first link of its use case's chain that can: walks the configured links
 * in order, skipping providers that are not configured, whose breaker is open (per provider and per
 * (provider, tenant), see {@link CircuitBreakers}) or that asked us to wait (429 Retry-After), and
 * failing over to the next link on any failure that is not the caller's fault. A request a provider
 * rejects as wrong (400/413/422) fails at once with 400. When every link refused the call, the one
 * that recovers soonest is tried once if that fits the deadline; else the request fails with 503
 * and a retry-after. Breaker dependency names are {@code llm.<provider>}.
 *
 * <p>Event-loop confined: one per verticle, like its breakers.
 */
public final class FallbackChain {

  private final LlmConfig config;
  private final Map<String, LlmClient> clients;
  private final CircuitBreakers breakers;
  private final FailoverSignals signals;
  private final Vertx vertx;
  private final Clock clock;
  private final Map<String, Long> notBeforeMillis = new HashMap<>();

  public FallbackChain(
      LlmConfig config,
      Map<String, LlmClient> clients,
      CircuitBreakers breakers,
      FailoverSignals signals,
      Vertx vertx,
      Clock clock) {
    this.config = config;
    this.clients = Map.copyOf(clients);
    this.breakers = breakers;
    this.signals = signals;
    this.vertx = vertx;
    this.clock = clock;
  }

  /** A whole answer; fails with {@link ChainFailure}. */
  public Future<LlmReply> complete(LlmRequest request) {
    return walk(request, Optional.empty());
  }

  /**
   * A streamed answer: tokens go to {@code tokens} as they arrive. Fails over only while no token
   * has been passed on; after that a failure is a {@link ChainFailure} marked partial.
   */
  public Future<LlmReply> stream(LlmRequest request, Consumer<String> tokens) {
    return walk(request, Optional.of(tokens));
  }

  private Future<LlmReply> walk(LlmRequest request, Optional<Consumer<String>> tokens) {
    Optional<List<LlmConfig.Link>> links = config.chain(request.useCase());
    if (links.isEmpty()) {
      return Future.failedFuture(
          new ChainFailure(
              new LlmError(
                  LlmError.BAD_REQUEST,
                  "unknown use case '"
                      + request.useCase()
                      + "'; configured: "
                      + String.join(", ", config.chains().keySet()),
                  Optional.empty(),
                  List.of()),
              false));
    }
    long deadline = clock.millis() + request.deadlineMs().orElse(config.deadline().toMillis());
    return new ChainWalk(this, request, links.get(), deadline, tokens).start();
  }

  LlmConfig config() {
    return config;
  }

  LlmClient client(String provider) {
    return clients.get(provider);
  }

  CircuitBreakers breakers() {
    return breakers;
  }

  FailoverSignals signals() {
    return signals;
  }

  Vertx vertx() {
    return vertx;
  }

  Clock clock() {
    return clock;
  }

  /** The breakers' name of a provider, also its degradation-monitor name. */
  static String dependency(String provider) {
    return "llm." + provider;
  }

  /** How long {@code provider} asked us to wait (429 Retry-After); zero when it did not. */
  Duration holdOff(String provider) {
    long until = notBeforeMillis.getOrDefault(provider, 0L);
    return Duration.ofMillis(Math.max(0, until - clock.millis()));
  }

  void holdOff(String provider, Duration wait) {
    notBeforeMillis.merge(provider, clock.millis() + wait.toMillis(), Math::max);
  }
}
