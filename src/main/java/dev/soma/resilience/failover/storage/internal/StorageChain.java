package dev.soma.resilience.failover.storage.internal;

import dev.soma.resilience.degradation.CallReporter;
import dev.soma.resilience.failover.breaker.CallOutcome;
import dev.soma.resilience.failover.breaker.CircuitBreakers;
import dev.soma.resilience.failover.breaker.OpenCircuitException;
import dev.soma.resilience.failover.storage.ObjectKey;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * S3, then the local filesystem, then Redis. Each call runs under the link's breakers (dependency
 * {@code storage-<name>}, per tenant) and a timeout; a link that is not configured or whose breaker
 * is open is skipped; any failure moves on to the next link. Storage has no caller faults at this
 * level: requests are validated before they reach the chain. Counts {@code
 * media_failover_count{kind="storage",from_provider,to_provider}}.
 *
 * <p>Event-loop confined, like the breakers it uses.
 */
public final class StorageChain {

  /** Where an upload went: the link, and until when a temporary link keeps it (else null). */
  public record Placed(String provider, Instant expiresAt) {}

  /** An object and the link that had it. */
  public record Found(String provider, StoredObject object) {}

  /** No link could store the upload; the message says why for each. */
  public static final class Exhausted extends RuntimeException {
    Exhausted(String what, List<String> reasons) {
      super(what + ": " + String.join("; ", reasons), null, false, false);
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(StorageChain.class);

  private final List<ObjectStore> links;
  private final CircuitBreakers breakers;
  private final Duration timeout;
  private final MeterRegistry registry;
  private final CallReporter reporter;

  /** {@code reporter} hears of every link call, as {@code storage.<link>}. */
  public StorageChain(
      List<ObjectStore> links,
      CircuitBreakers breakers,
      Duration timeout,
      MeterRegistry registry,
      CallReporter reporter) {
    this.links = List.copyOf(links);
    this.breakers = breakers;
    this.timeout = timeout;
    this.registry = registry;
    this.reporter = reporter;
  }

  /** Stores on the first link that takes it; fails with {@link Exhausted} when none does. */
  public Future<Placed> put(ObjectKey key, Payload payload, String requestId) {
    return walk(
            0,
            key,
            requestId,
            new ArrayList<>(),
            "every storage link failed",
            link -> link.put(key, payload).map(expires -> new Placed(link.name(), expires)))
        .onSuccess(placed -> countFailover(placed.provider()));
  }

  /**
   * The object from the first link that has it; empty when every link answered and none had it;
   * {@link Exhausted} when it was not found and some link failed (it may be there).
   */
  public Future<Optional<Found>> get(ObjectKey key, String requestId) {
    List<String> reasons = new ArrayList<>();
    return walk(
            0,
            key,
            requestId,
            reasons,
            "object not found, and some links failed",
            link ->
                link.get(key)
                    .compose(
                        found ->
                            found.isPresent()
                                ? Future.succeededFuture(new Found(link.name(), found.get()))
                                : Future.failedFuture(new NotHere(link.name()))))
        .map(Optional::of)
        .recover(
            failure ->
                reasons.stream()
                        .allMatch(r -> r.endsWith(NotHere.REASON) || r.endsWith("not configured"))
                    ? Future.succeededFuture(Optional.empty())
                    : Future.failedFuture(failure));
  }

  private <T> Future<T> walk(
      int index,
      ObjectKey key,
      String requestId,
      List<String> reasons,
      String exhausted,
      Function<ObjectStore, Future<T>> call) {
    if (index == links.size()) {
      return Future.failedFuture(new Exhausted(exhausted, reasons));
    }
    ObjectStore link = links.get(index);
    if (!link.configured()) {
      reasons.add(link.name() + " not configured");
      return walk(index + 1, key, requestId, reasons, exhausted, call);
    }
    String dependency = "storage." + link.name();
    return breakers
        .call(
            dependency,
            key.tenantId(),
            () ->
                reporter.timed(
                    dependency,
                    key.tenantId(),
                    call.apply(link).timeout(timeout.toMillis(), TimeUnit.MILLISECONDS),
                    e -> e instanceof NotHere),
            StorageChain::classify)
        .recover(
            failure -> {
              String reason =
                  failure instanceof OpenCircuitException
                      ? "circuit open"
                      : failure instanceof NotHere
                          ? NotHere.REASON
                          : String.valueOf(failure.getMessage());
              if (failure instanceof OpenCircuitException) {
                LOG.debug(
                    "storage link {} skipped for {} request {}: circuit open",
                    link.name(),
                    key.path(),
                    requestId);
              } else if (!(failure instanceof NotHere)) {
                LOG.warn(
                    "storage link {} failed for {} request {}: {}; trying the next",
                    link.name(),
                    key.path(),
                    requestId,
                    reason);
              }
              reasons.add(link.name() + " " + reason);
              return walk(index + 1, key, requestId, reasons, exhausted, call);
            });
  }

  private void countFailover(String provider) {
    String primary =
        links.stream()
            .filter(ObjectStore::configured)
            .map(ObjectStore::name)
            .findFirst()
            .orElse("none");
    if (!provider.equals(primary)) {
      Counter.builder("media.failover.count")
          .description("Media requests served by a fallback provider instead of the primary")
          .tag("kind", "storage")
          .tag("from_provider", primary)
          .tag("to_provider", provider)
          .register(registry)
          .increment();
    }
  }

  private static CallOutcome classify(AsyncResult<?> result) {
    if (result.succeeded() || result.cause() instanceof NotHere) {
      return CallOutcome.SUCCESS;
    }
    return result.cause() instanceof StoreFailure f ? f.outcome() : CallOutcome.DEPENDENCY_FAILURE;
  }

  /** A link answered that it does not have the object: a success, but look further. */
  private static final class NotHere extends RuntimeException {
    static final String REASON = "does not have it";

    NotHere(String link) {
      super(link + " " + REASON, null, false, false);
    }
  }
}
