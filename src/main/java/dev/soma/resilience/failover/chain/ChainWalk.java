package dev.soma.resilience.failover.chain;

import dev.soma.resilience.breaker.CallOutcome;
import dev.soma.resilience.breaker.CircuitBreakers;
import dev.soma.resilience.breaker.OpenCircuitException;
import dev.soma.resilience.degradation.CallReport;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One request's way down its chain: which links were left and why, until one serves it. */
final class ChainWalk<Q, R> {

  private static final Logger LOG = LoggerFactory.getLogger(FallbackChain.class);

  private record Left(Link<?, ?> link, String reason) {}

  private final FallbackChain chain;
  private final List<Link<Q, R>> links;
  private final Q request;
  private final Walk walk;
  private final Promise<Served<R>> result = Promise.promise();
  private final List<Hop> hops = new ArrayList<>();
  private final List<Left> left = new ArrayList<>();
  private final List<String> reasons = new ArrayList<>();
  private final Refusals<Q, R> refusals;
  private int next;
  private int calls;
  private int configured;
  private int notFound;

  ChainWalk(FallbackChain chain, List<Link<Q, R>> links, Q request, Walk walk) {
    this.chain = chain;
    this.links = links;
    this.request = request;
    this.walk = walk;
    this.refusals = new Refusals<>(chain, walk);
  }

  Future<Served<R>> start() {
    tryNext();
    return result.future();
  }

  private void tryNext() {
    while (next < links.size()) {
      Link<Q, R> link = links.get(next++);
      if (!link.configured()) {
        reasons.add(link.name() + " not configured"); // not failed: no failover, no breaker
        continue;
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
  private Optional<CircuitBreakers.Guard> admit(Link<Q, R> link) {
    Duration holdOff = chain.holdOffs().remaining(link.name());
    if (!holdOff.isZero()) {
      refused(link, holdOff, "rate limited, retry after " + holdOff.toMillis() + " ms");
      return Optional.empty();
    }
    try {
      return Optional.of(chain.breakers().acquire(chain.dependency(link), walk.tenant()));
    } catch (OpenCircuitException open) {
      refused(link, open.retryAfter(), "circuit open");
      return Optional.empty();
    }
  }

  private void refused(Link<Q, R> link, Duration wait, String reason) {
    LOG.debug(
        "{} link {} skipped for tenant {} ({}): {}",
        chain.kind(),
        link.name(),
        walk.tenant(),
        walk.context(),
        reason);
    refusals.add(link, wait);
    left.add(new Left(link, reason));
    reasons.add(link.name() + " " + reason);
  }

  private void call(Link<Q, R> link, CircuitBreakers.Guard guard) {
    Optional<Duration> remaining = refusals.remaining();
    if (remaining.isPresent() && remaining.get().toMillis() <= 0) {
      chain.breakers().record(guard, CallOutcome.CALLER_FAULT); // not called: frees the permit
      giveUp(ChainExhausted.Why.DEADLINE, "the deadline passed after " + calls + " call(s)");
      return;
    }
    for (Left l : left) {
      hops.add(new Hop(l.link().label(), link.label(), l.reason()));
      chain.report().hop(l.link().name(), link.name(), walk.context());
    }
    left.clear();
    calls++;
    long started = chain.clock().millis();
    send(link, remaining)
        .onComplete(ar -> settle(link, guard, ar, chain.clock().millis() - started));
  }

  private Future<R> send(Link<Q, R> link, Optional<Duration> remaining) {
    Future<R> answer = callSafely(link, remaining);
    return chain
        .callTimeout()
        .map(timeout -> answer.timeout(timeout.toMillis(), TimeUnit.MILLISECONDS))
        .orElse(answer);
  }

  private Future<R> callSafely(Link<Q, R> link, Optional<Duration> remaining) {
    try {
      return link.call(request, remaining);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private void settle(
      Link<Q, R> link, CircuitBreakers.Guard guard, AsyncResult<R> ar, long latencyMs) {
    if (ar.succeeded()) {
      chain.breakers().record(guard, CallOutcome.SUCCESS);
      report(link, true, latencyMs, Optional.empty());
      result.complete(new Served<>(link.name(), ar.result(), hops));
      return;
    }
    ProviderFailure failure = ProviderFailure.of(ar.cause());
    chain.breakers().record(guard, failure.kind().outcome());
    boolean worked = failure.kind().providerWorked();
    // the report reaches the public status: the failure's kind and status, never its message
    // (a file path, an object key, a tenant's id); the log has the message
    report(link, worked, latencyMs, worked ? Optional.empty() : Optional.of(failure.reason()));
    failed(link, failure);
  }

  private void report(Link<Q, R> link, boolean ok, long latencyMs, Optional<String> error) {
    chain
        .report()
        .called(
            new CallReport(
                chain.dependency(link), Optional.of(walk.tenant()), ok, latencyMs, error));
  }

  private void failed(Link<Q, R> link, ProviderFailure failure) {
    log(link, failure);
    Duration holdOff = chain.holdOffs().note(link.name(), failure);
    if (!holdOff.isZero()) {
      LOG.warn(
          "{} link {} asked to be left alone for {} ms",
          chain.kind(),
          link.label(),
          holdOff.toMillis());
    }
    if (failure.kind() == ProviderFailure.Kind.NOT_FOUND) {
      notFound++;
    } else if (failure.kind().endsWalk()) {
      giveUp(ChainExhausted.Why.REJECTED, link, failure);
      return;
    } else if (walk.reachedCaller().getAsBoolean()) {
      giveUp(ChainExhausted.Why.PARTIAL, link, failure);
      return;
    } else {
      left.add(new Left(link, failure.reason()));
    }
    reasons.add(link.name() + " " + failure.getMessage());
    tryNext();
  }

  private void log(Link<Q, R> link, ProviderFailure failure) {
    String where = chain.kind() + " link " + link.label();
    String who = "tenant " + walk.tenant() + " (" + walk.context() + ")";
    switch (failure.kind()) {
      case NOT_FOUND -> LOG.debug("{} does not have it for {}", where, who);
      case REJECTED ->
          LOG.info(
              "{} rejected the request of {} as wrong, not failing over: {}",
              where,
              who,
              failure.getMessage());
      case MISCONFIGURED ->
          LOG.error(
              "PROVIDER MISCONFIGURED: {} answered {} for {}; check its API key,"
                  + " base URL and model name (failing over)",
              where,
              failure.getMessage(),
              who);
      default ->
          LOG.warn("{} failed for {}: {}; trying the next", where, who, failure.getMessage());
    }
  }

  /** No link served: wait for the soonest one if every link refused and it fits, else give up. */
  private void exhausted() {
    if (configured == 0) {
      giveUp(ChainExhausted.Why.NOTHING_CONFIGURED, "no " + chain.kind() + " link is configured");
    } else if (notFound == configured) {
      giveUp(ChainExhausted.Why.NOT_FOUND, "no " + chain.kind() + " link has it");
    } else if (calls == 0 && refusals.waitForSoonest(this::afterWait)) {
      return;
    } else {
      boolean late = refusals.remaining().map(r -> r.toMillis() <= 0).orElse(false);
      ChainExhausted.Why why =
          late
              ? ChainExhausted.Why.DEADLINE
              : calls == 0 ? ChainExhausted.Why.UNAVAILABLE : ChainExhausted.Why.FAILED;
      giveUp(why, "every " + chain.kind() + " link failed: " + String.join("; ", reasons));
    }
  }

  /** Served after a wait, not by failing over: what was left before is forgotten. */
  private void afterWait(Link<Q, R> link) {
    left.clear();
    admit(link).ifPresentOrElse(guard -> call(link, guard), this::exhausted);
  }

  private void giveUp(ChainExhausted.Why why, String message) {
    result.fail(
        new ChainExhausted(
            why,
            message,
            calls,
            refusals.soonestRecovery(links),
            hops,
            Optional.empty(),
            Optional.empty()));
  }

  private void giveUp(ChainExhausted.Why why, Link<Q, R> link, ProviderFailure failure) {
    result.fail(
        new ChainExhausted(
            why,
            failure.getMessage(),
            calls,
            Optional.empty(),
            hops,
            Optional.of(link.label()),
            Optional.of(failure)));
  }
}
