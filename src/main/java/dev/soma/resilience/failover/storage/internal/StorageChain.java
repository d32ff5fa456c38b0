package dev.soma.resilience.failover.storage.internal;

import dev.soma.resilience.failover.chain.ChainExhausted;
import dev.soma.resilience.failover.chain.FallbackChain;
import dev.soma.resilience.failover.chain.Link;
import dev.soma.resilience.failover.chain.ProviderFailure;
import dev.soma.resilience.failover.chain.Walk;
import dev.soma.resilience.failover.storage.ObjectKey;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * S3, then the local filesystem, then Redis, walked by a {@link FallbackChain} of kind {@code
 * storage} (breakers {@code storage.<name>}, per tenant): a link that is not configured or whose
 * breaker is open is skipped; a failure moves on to the next link unless its kind ends the walk (a
 * provider's 400/413/422, {@link ProviderFailure.Kind#REJECTED}). Keys are validated before they
 * reach the chain, and every link holds any two valid keys side by side ({@code a} and {@code a/x}:
 * {@link LocalFileStore} does not map keys onto directories), so no link fails on a key another
 * takes. A link that does not have an object answers {@link ProviderFailure.Kind#NOT_FOUND}, a
 * typed result that counts as a success.
 *
 * <p>Event-loop confined (the verticle's); the breakers it uses are thread-safe.
 */
public final class StorageChain {

  /** Where an upload went: the link, and until when a temporary link keeps it (else null). */
  public record Placed(String provider, Instant expiresAt) {}

  /** An object and the link that had it. */
  public record Found(String provider, StoredObject object) {}

  private record Upload(ObjectKey key, Payload payload) {}

  /** An {@link ObjectStore} seen as a link for one operation. */
  private record StoreLink<Q, R>(ObjectStore store, BiFunction<ObjectStore, Q, Future<R>> op)
      implements Link<Q, R> {

    @Override
    public String name() {
      return store.name();
    }

    @Override
    public boolean configured() {
      return store.configured();
    }

    @Override
    public Future<R> call(Q request, Optional<Duration> left) {
      return op.apply(store, request);
    }
  }

  private final FallbackChain engine;
  private final List<StoreLink<Upload, Instant>> puts;
  private final List<StoreLink<ObjectKey, StoredObject>> gets;

  /** {@code engine} is of kind {@code storage}, with the links' timeout. */
  public StorageChain(List<ObjectStore> links, FallbackChain engine) {
    this.puts =
        links.stream()
            .map(l -> new StoreLink<Upload, Instant>(l, (s, u) -> s.put(u.key(), u.payload())))
            .toList();
    this.gets =
        links.stream()
            .map(l -> new StoreLink<ObjectKey, StoredObject>(l, StorageChain::get))
            .toList();
    this.engine = engine.watching(puts);
  }

  /** Stores on the first link that takes it; fails with {@link ChainExhausted} when none does. */
  public Future<Placed> put(ObjectKey key, Payload payload, String requestId) {
    return engine
        .walk(puts, new Upload(key, payload), Walk.of(key.tenantId(), requestId))
        .map(served -> new Placed(served.provider(), served.result()));
  }

  /**
   * The object from the first link that has it; empty when every link answered and none had it;
   * {@link ChainExhausted} when it was not found and some link failed (it may be there).
   */
  public Future<Optional<Found>> get(ObjectKey key, String requestId) {
    return engine
        .walk(gets, key, Walk.of(key.tenantId(), requestId))
        .map(served -> Optional.of(new Found(served.provider(), served.result())))
        .recover(
            failure ->
                failure instanceof ChainExhausted e && e.why() == ChainExhausted.Why.NOT_FOUND
                    ? Future.succeededFuture(Optional.empty())
                    : Future.failedFuture(failure));
  }

  private static Future<StoredObject> get(ObjectStore store, ObjectKey key) {
    return store
        .get(key)
        .compose(
            found ->
                found
                    .map(Future::succeededFuture)
                    .orElseGet(() -> Future.failedFuture(ProviderFailure.notFound(store.name()))));
  }
}
