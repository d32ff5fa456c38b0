package dev.soma.resilience.api;

import dev.soma.resilience.cluster.InFlight;
import dev.soma.resilience.common.http.Problem;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * What a client is told when a request to the storage or audio failover verticles fails: the
 * verticle's own refusal keeps its status (400, 404, 409, 413; any other is a 503), a verticle that
 * did not answer in time or whose node went away is a 503 to retry in a few seconds, and an
 * argument the request could not even be built with is a 400. Anything else passes as it is.
 */
final class FailoverProblems {

  /** The {@code Retry-After} of a failover chain that could not answer now. */
  private static final long RETRY_SECONDS = 5;

  private FailoverProblems() {}

  static Throwable problem(Throwable e) {
    if (e instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
        return switch (reply.failureCode()) {
          case 400 -> Problem.badRequest(reply.getMessage());
          case 404 -> Problem.notFound(reply.getMessage());
          case 409 -> Problem.conflict(reply.getMessage());
          case 413 -> Problem.contentTooLarge(reply.getMessage());
          default -> Problem.unavailable(reply.getMessage(), RETRY_SECONDS);
        };
      }
      return Problem.unavailable("the failover service did not answer in time", RETRY_SECONDS);
    }
    if (e instanceof InFlight.HandlerLost) {
      return Problem.unavailable(e.getMessage(), RETRY_SECONDS);
    }
    return e instanceof IllegalArgumentException ? Problem.badRequest(e.getMessage()) : e;
  }
}
