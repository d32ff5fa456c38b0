package dev.soma.resilience.degradation.internal;

import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;

/**
 * Reading the body of a broadcast (a call outcome, a status change, the breaker overrides applied).
 * Nobody answers a broadcast, so a malformed one cannot be refused: it is dropped with a warning on
 * the reader's logger, and the reader goes on with the next.
 */
public final class BroadcastBody {

  private BroadcastBody() {}

  /**
   * What {@code parse} reads from {@code body}; empty, after a warning "ignoring {@code what}:
   * why", when it throws {@link IllegalArgumentException}.
   */
  public static <T> Optional<T> read(
      JsonObject body, Function<JsonObject, T> parse, String what, Logger log) {
    try {
      return Optional.of(parse.apply(body));
    } catch (IllegalArgumentException e) {
      log.warn("ignoring {}: {}", what, e.getMessage());
      return Optional.empty();
    }
  }
}
