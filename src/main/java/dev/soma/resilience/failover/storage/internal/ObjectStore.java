package dev.soma.resilience.failover.storage.internal;

import dev.soma.resilience.failover.storage.ObjectKey;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.Optional;

/**
 * One link of the storage chain. Failures are {@link
 * dev.soma.resilience.failover.chain.ProviderFailure}s (saying how they count) or anything else
 * (refused, timed out, I/O), which counts as the link's failure.
 */
public interface ObjectStore {

  /**
   * The provider's name as replies and metrics show it: {@code s3}, {@code local}, {@code redis}.
   */
  String name();

  boolean configured();

  /** Stores durably (or, for a temporary link, until the returned instant; otherwise null). */
  Future<Instant> put(ObjectKey key, Payload payload);

  /** The object, or empty when this link does not have it. */
  Future<Optional<StoredObject>> get(ObjectKey key);

  /** Releases clients; blocking allowed (called from the verticle's stop on a worker). */
  default void close() {}
}
