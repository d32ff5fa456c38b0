package dev.soma.resilience.failover.chain;

import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads the request a failover verticle receives on the event bus: the message's body must be a
 * JSON object that the request record's {@code fromJson} takes. When it is not, the message is
 * failed at once with the family's caller-fault code and its reason, and there is no request.
 */
public final class BusRequest {

  private BusRequest() {}

  /**
   * The request in {@code message}; empty, with the message failed with {@code callerFault} and
   * {@code fromJson}'s {@link IllegalArgumentException} message, when there is none.
   */
  public static <Q> Optional<Q> parse(
      Message<?> message, Function<JsonObject, Q> fromJson, int callerFault) {
    try {
      if (!(message.body() instanceof JsonObject json)) {
        throw new IllegalArgumentException("the message body must be a JSON object");
      }
      return Optional.of(fromJson.apply(json));
    } catch (IllegalArgumentException e) {
      message.fail(callerFault, e.getMessage());
      return Optional.empty();
    }
  }
}
