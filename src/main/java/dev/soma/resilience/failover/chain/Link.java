package dev.soma.resilience.failover.chain;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.Optional;

/**
 * One provider of a {@link FallbackChain}. A link that is not configured (no credential, no URL) is
 * skipped without counting as a failure.
 *
 * @param <Q> the request
 * @param <R> what the provider answers
 */
public interface Link<Q, R> {

  /**
   * The provider's name as replies and metrics show it ({@code elevenlabs}, {@code s3}); with the
   * chain's kind it names the link's breakers: {@code <kind>.<name>}.
   */
  String name();

  /** How a reply's failovers name the link; the name unless a link says more (a model). */
  default String label() {
    return name();
  }

  boolean configured();

  /**
   * Calls the provider. Fails with {@link ProviderFailure} saying what happened; any other failure
   * counts as a {@link ProviderFailure.Kind#PROVIDER_ERROR} (a timeout as a timeout).
   *
   * @param left the time left before the walk's deadline, when it has one
   */
  Future<R> call(Q request, Optional<Duration> left);
}
