package dev.soma.resilience.failover.llm.internal;

import dev.soma.resilience.config.LlmConfig;
import dev.soma.resilience.failover.breaker.CallOutcome;
import dev.soma.resilience.failover.breaker.CircuitBreakers;
import dev.soma.resilience.failover.breaker.OpenCircuitException;
import dev.soma.resilience.failover.llm.Failover;
import dev.soma.resilience.failover.llm.LlmError;
import dev.soma.resilience.failover.llm.LlmReply;
import dev.soma.resilience.failover.llm.LlmRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One request's way down its chain: which links were left and why, until one serves it. */
final class ChainWalk {

  private static final Logger LOG = LoggerFactory.getLogger(FallbackChain.class);

  /** A link that refused the call without being called, and when it may take calls again. */
  private record Refusal(LlmConfig.Link link, long availableAtMillis) {}

  private record Left(LlmConfig.Link link, String reason) {}

  private final FallbackChain chain;
  private final LlmRequest request;
  private final List<LlmConfig.Link> links;
  private final long deadlineMillis;
  private final Optional<Consumer<String>> tokens;
  private final Promise<LlmReply> result = Promise.promise();
  private final List<Failover> failovers = new ArrayList<>();
  private final List<Left> left = new ArrayList<>();
  private final List<Refusal> refusals = new ArrayList<>();
  private int next;
  private int calls;
  private int configured;
  private boolean waited;
  private boolean delivered;

  ChainWalk(
      FallbackChain chain,
      LlmRequest request,
      List<LlmConfig.Link> links,
      long deadlineMillis,
      Optional<Consumer<String>> tokens) {
    this.chain = chain;
    this.request = request;
    this.links = links;
    this.deadlineMillis = deadlineMillis;
    this.tokens = tokens;
  }

  Future<LlmReply> start() {
    tryNext();
    return result.future();
  }

  private void tryNext() {
    while (next < links.size()) {
      LlmConfig.Link link = links.get(next++);
      if (!chain.config().provider(link).configured()) {
        continue; // not configured is not failed: no failover, no breaker
      }
      configured++;
      Optional<CircuitBreakers.Guard> guard = admit(link);
      if (guard.isPresent()) {
        call(link, guard.get());
        return;
      }
    }
    exhausted();
  }

  /** Permits for {@code link}, or empty (noted as a refusal) when it must not be called now. */
  private Optional<CircuitBreakers.Guard> admit(LlmConfig.Link link) {
    Duration holdOff = chain.holdOff(link.provider());
    if (!holdOff.isZero()) {
      refusals.add(new Refusal(link, chain.clock().millis() + holdOff.toMillis()));
      left.add(new Left(link, "rate limited, retry after " + holdOff.toMillis() + " ms"));
      return Optional.empty();
    }
    try {
      return Optional.of(
          chain.breakers().acquire(FallbackChain.dependency(link.provider()), request.tenant()));
    } catch (OpenCircuitException open) {
      refusals.add(new Refusal(link, chain.clock().millis() + open.retryAfter().toMillis()));
      left.add(new Left(link, "circuit open"));
      return Optional.empty();
    }
  }

  private void call(LlmConfig.Link link, CircuitBreakers.Guard guard) {
    long remaining = deadlineMillis - chain.clock().millis();
    if (remaining <= 0) {
      chain.breakers().record(guard, CallOutcome.CALLER_FAULT); // not called: frees the permit
      fail(
          LlmError.DEADLINE_EXCEEDED,
          "the request's deadline passed after " + calls + " provider call(s)",
          Optional.empty());
      return;
    }
    for (Left l : left) {
      failovers.add(new Failover(l.link().toString(), link.toString(), l.reason()));
      chain.signals().failedOver(l.link().provider(), link.provider());
    }
    left.clear();
    calls++;
    long started = chain.clock().millis();
    Future<Completion> answer = send(link, Duration.ofMillis(remaining));
    answer.onComplete(
        ar -> {
          Duration latency = Duration.ofMillis(chain.clock().millis() - started);
          if (ar.succeeded()) {
            settle(link, guard, CallOutcome.SUCCESS, latency, Optional.empty());
            result.complete(reply(link, ar.result()));
          } else {
            ProviderFailure failure =
                ar.cause() instanceof ProviderFailure f
                    ? f
                    : new ProviderFailure(
                        ProviderFailure.Kind.PROVIDER_ERROR, ar.cause().toString());
            settle(link, guard, failure.outcome(), latency, Optional.of(failure.getMessage()));
            failed(link, failure);
          }
        });
  }

  private Future<Completion> send(LlmConfig.Link link, Duration remaining) {
    LlmConfig config = chain.config();
    ProviderCall call =
        new ProviderCall(
            link.model(),
            request.messages(),
            request.maxTokens().orElse(config.defaultMaxTokens()),
            request.temperature(),
            tokens.isPresent() ? remaining : min(remaining, config.requestTimeout()),
            min(remaining, config.firstTokenTimeout()),
            config.betweenTokensTimeout(),
            request.tenant());
    var client = chain.client(link.provider());
    return tokens
        .map(
            sink ->
                client.stream(
                    call,
                    text -> {
                      delivered = true;
                      sink.accept(text);
                    }))
        .orElseGet(() -> client.complete(call));
  }

  private void settle(
      LlmConfig.Link link,
      CircuitBreakers.Guard guard,
      CallOutcome outcome,
      Duration latency,
      Optional<String> error) {
    chain.breakers().record(guard, outcome);
    boolean ok = outcome == CallOutcome.SUCCESS || outcome == CallOutcome.CALLER_FAULT;
    chain
        .signals()
        .called(FallbackChain.dependency(link.provider()), request.tenant(), ok, latency, error);
  }

  private void failed(LlmConfig.Link link, ProviderFailure failure) {
    String where = link + " for tenant " + request.tenant() + " (" + request.useCase() + ")";
    switch (failure.kind()) {
      case REJECTED -> {
        LOG.info(
            "{} rejected the request as wrong, not failing over: {}", where, failure.getMessage());
        fail(
            LlmError.BAD_REQUEST,
            link.provider() + " rejected the request: " + failure.getMessage(),
            Optional.empty());
        return;
      }
      case MISCONFIGURED ->
          LOG.error(
              "PROVIDER MISCONFIGURED: {} answered {}; check its API key,"
                  + " base URL and model name (failing over)",
              where,
              failure.getMessage());
      case RATE_LIMITED ->
          failure
              .retryAfter()
              .ifPresent(
                  wait -> {
                    chain.holdOff(link.provider(), wait);
                    LOG.warn("{} is rate limited for {} ms", where, wait.toMillis());
                  });
      default -> LOG.warn("{} failed: {}", where, failure.getMessage());
    }
    if (delivered) {
      result.fail(
          new ChainFailure(
              new LlmError(
                  LlmError.UPSTREAM_FAILED,
                  link
                      + " failed after part of the answer was sent ("
                      + failure.reason()
                      + "): "
                      + failure.getMessage(),
                  Optional.empty(),
                  failovers),
              true));
      return;
    }
    left.add(new Left(link, failure.reason()));
    tryNext();
  }

  /** No link served: wait for the soonest one if every link refused and it fits, else give up. */
  private void exhausted() {
    if (configured == 0) {
      fail(
          LlmError.UNAVAILABLE,
          "no provider of chain '" + request.useCase() + "' is configured",
          Optional.empty());
      return;
    }
    Optional<Refusal> soonest =
        refusals.stream().min(Comparator.comparingLong(Refusal::availableAtMillis));
    long now = chain.clock().millis();
    long remaining = deadlineMillis - now;
    if (calls == 0
        && !waited
        && soonest.isPresent()
        && soonest.get().availableAtMillis() < deadlineMillis) {
      waited = true;
      LlmConfig.Link link = soonest.get().link();
      long wait = Math.max(1, soonest.get().availableAtMillis() - now);
      LOG.info(
          "every link of chain {} is open for tenant {}: waiting {} ms for {}",
          request.useCase(),
          request.tenant(),
          wait,
          link);
      chain
          .vertx()
          .setTimer(
              wait,
              id -> {
                refusals.clear();
                left.clear(); // served after a wait, not by failing over
                admit(link).ifPresentOrElse(guard -> call(link, guard), this::exhausted);
              });
      return;
    }
    Optional<Long> retryAfter = soonestRecovery();
    String message =
        calls == 0
            ? "every provider of chain '" + request.useCase() + "' is unavailable"
            : "every provider of chain '" + request.useCase() + "' failed";
    if (remaining <= 0) {
      fail(LlmError.DEADLINE_EXCEEDED, message + " within the request's deadline", retryAfter);
    } else {
      fail(LlmError.UNAVAILABLE, message, retryAfter);
    }
  }

  /** The shortest wait before any configured link of the chain takes calls again, if any. */
  private Optional<Long> soonestRecovery() {
    return links.stream()
        .filter(link -> chain.config().provider(link).configured())
        .map(
            link ->
                Math.max(
                    chain.holdOff(link.provider()).toMillis(),
                    chain
                        .breakers()
                        .retryAfter(FallbackChain.dependency(link.provider()), request.tenant())
                        .toMillis()))
        .filter(ms -> ms > 0)
        .min(Long::compare);
  }

  private void fail(int status, String message, Optional<Long> retryAfterMs) {
    result.fail(new ChainFailure(new LlmError(status, message, retryAfterMs, failovers), false));
  }

  private LlmReply reply(LlmConfig.Link link, Completion completion) {
    return new LlmReply(
        link.provider(),
        completion.model(),
        completion.content(),
        completion.finishReason(),
        failovers,
        completion.usage());
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
