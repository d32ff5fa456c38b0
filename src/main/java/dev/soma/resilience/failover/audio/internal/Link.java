package dev.soma.resilience.failover.audio.internal;

import io.vertx.core.Future;

/**
 * One provider of a {@link FallbackChain}. A link that is not configured (no credential, no URL) is
 * skipped without counting as a failure.
 *
 * @param <Q> the request
 * @param <R> what the provider answers
 */
public interface Link<Q, R> {

  /** The provider's name as replies and metrics show it, e.g. {@code elevenlabs}. */
  String name();

  boolean configured();

  /**
   * Calls the provider. Fails with {@link ProviderCallFailure} when it answered unusably; any other
   * failure (refused, timed out) counts as a dependency failure.
   */
  Future<R> call(Q request);
}
