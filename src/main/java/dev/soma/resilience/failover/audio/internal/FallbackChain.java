package dev.soma.resilience.failover.audio.internal;

import dev.soma.resilience.degradation.CallReporter;
import dev.soma.resilience.failover.breaker.CallOutcome;
import dev.soma.resilience.failover.breaker.CircuitBreakers;
import dev.soma.resilience.failover.breaker.OpenCircuitException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Providers tried in order until one answers. Each call runs under the provider's breakers
 * (dependency {@code <kind>-<provider>}, per tenant) and a timeout. A link is skipped when it is
 * not configured, its breaker is open, or it asked us to wait (429 with {@code Retry-After}); it
 * fails over on any dependency failure. A caller fault (400/422) ends the walk with that failure:
 * another provider would refuse the same request. When every link fails, the result fails with
 * {@link ChainExhausted}; the verticle decides what the last resort is.
 *
 * <p>Event-loop confined, like the breakers it uses.
 */
public final class FallbackChain<Q, R> {

  /** What a chain produced and who produced it. */
  public record Served<R>(String provider, R result) {}

  /** No link could serve; {@code reasons} says why for each, in order. */
  public static final class ChainExhausted extends RuntimeException {
    public ChainExhausted(String kind, List<String> reasons) {
      super(
          "every " + kind + " provider failed: " + String.join("; ", reasons), null, false, false);
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(FallbackChain.class);

  private final String kind;
  private final List<Link<Q, R>> links;
  private final CircuitBreakers breakers;
  private final Duration timeout;
  private final Clock clock;
  private final FailoverMetrics metrics;
  private final CallReporter reporter;
  private final Map<String, Long> waitUntilMillis = new HashMap<>();

  /** {@code reporter} hears of every provider call, as {@code <kind>.<provider>}. */
  public FallbackChain(
      String kind,
      List<Link<Q, R>> links,
      CircuitBreakers breakers,
      Duration timeout,
      Clock clock,
      FailoverMetrics metrics,
      CallReporter reporter) {
    this.kind = kind;
    this.links = List.copyOf(links);
    this.breakers = breakers;
    this.timeout = timeout;
    this.clock = clock;
    this.metrics = metrics;
    this.reporter = reporter;
  }

  /** Walks the chain for {@code tenant}; {@code requestId} goes into every log line. */
  public Future<Served<R>> run(String tenant, String requestId, Q request) {
    return attempt(0, tenant, requestId, request, new ArrayList<>())
        .onSuccess(served -> metrics.served(kind, primary(), served.provider()));
  }

  /** The first configured link: the one that serves while everything is healthy. */
  public String primary() {
    return links.stream().filter(Link::configured).map(Link::name).findFirst().orElse("none");
  }

  private Future<Served<R>> attempt(
      int index, String tenant, String requestId, Q request, List<String> reasons) {
    if (index == links.size()) {
      return Future.failedFuture(new ChainExhausted(kind, reasons));
    }
    Link<Q, R> link = links.get(index);
    String skip = skipReason(link);
    if (skip != null) {
      reasons.add(link.name() + " " + skip);
      return attempt(index + 1, tenant, requestId, request, reasons);
    }
    String dependency = kind + "." + link.name();
    return breakers
        .call(
            dependency,
            tenant,
            () ->
                reporter.timed(
                    dependency,
                    tenant,
                    link.call(request).timeout(timeout.toMillis(), TimeUnit.MILLISECONDS),
                    e -> classify(Future.failedFuture(e)) == CallOutcome.CALLER_FAULT),
            FallbackChain::classify)
        .map(result -> new Served<>(link.name(), result))
        .recover(
            failure -> {
              if (failure instanceof ProviderCallFailure f
                  && f.outcome() == CallOutcome.CALLER_FAULT) {
                return Future.failedFuture(f);
              }
              noteRetryAfter(link, failure);
              String reason =
                  failure instanceof OpenCircuitException
                      ? "circuit open"
                      : String.valueOf(failure.getMessage());
              LOG.warn(
                  "{} provider {} failed for tenant {} request {}: {}; trying the next",
                  kind,
                  link.name(),
                  tenant,
                  requestId,
                  reason);
              reasons.add(link.name() + " " + reason);
              return attempt(index + 1, tenant, requestId, request, reasons);
            });
  }

  private String skipReason(Link<Q, R> link) {
    if (!link.configured()) {
      return "not configured";
    }
    Long until = waitUntilMillis.get(link.name());
    if (until != null && clock.millis() < until) {
      return "asked us to wait (Retry-After) for " + (until - clock.millis()) + " ms";
    }
    return null;
  }

  private void noteRetryAfter(Link<Q, R> link, Throwable failure) {
    if (failure instanceof ProviderCallFailure f && !f.retryAfter().isZero()) {
      waitUntilMillis.put(link.name(), clock.millis() + f.retryAfter().toMillis());
    }
  }

  private static CallOutcome classify(AsyncResult<?> result) {
    if (result.succeeded()) {
      return CallOutcome.SUCCESS;
    }
    return result.cause() instanceof ProviderCallFailure f
        ? f.outcome()
        : CallOutcome.DEPENDENCY_FAILURE;
  }
}
