package dev.soma.resilience.failover.llm;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * Why a request could not be served. Travels as the message of a {@link ReplyException} whose
 * failure code is {@link #status}, and inside a stream's {@code error} event.
 *
 * @param status 400 the request is wrong (never failed over), 502 a stream broke off after part of
 *     the answer was sent (never failed over), 501 no provider of the request's chain is configured
 *     (asking again does not help until an operator configures one), 503 no provider could answer,
 *     504 the request's deadline passed
 * @param retryAfterMs when 503: how long until a provider of the chain may answer again, if known
 * @param failovers the steps taken before giving up
 */
public record LlmError(
    int status, String message, Optional<Long> retryAfterMs, List<Failover> failovers) {

  public static final int BAD_REQUEST = 400;
  public static final int NOT_CONFIGURED = 501;
  public static final int UPSTREAM_FAILED = 502;
  public static final int UNAVAILABLE = 503;
  public static final int DEADLINE_EXCEEDED = 504;

  public LlmError {
    failovers = List.copyOf(failovers);
  }

  public JsonObject toJson() {
    JsonObject json =
        new JsonObject()
            .put("status", status)
            .put("message", message)
            .put("failovers", Failover.toJson(failovers));
    retryAfterMs.ifPresent(ms -> json.put("retryAfterMs", ms));
    return json;
  }

  public static LlmError fromJson(JsonObject json) {
    return new LlmError(
        json.getInteger("status"),
        json.getString("message"),
        Optional.ofNullable(json.getLong("retryAfterMs")),
        Failover.listFromJson(json.getJsonArray("failovers")));
  }

  /** This error as an event-bus failure (for {@code Message.fail} or a failed reply future). */
  public ReplyException toReplyException() {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, status, toJson().encode());
  }

  /** The error a failed request carried; empty when the failure is not one of ours. */
  public static Optional<LlmError> from(Throwable failure) {
    if (failure instanceof ReplyException reply
        && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
      try {
        return Optional.of(fromJson(new JsonObject(reply.getMessage())));
      } catch (RuntimeException notJson) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }
}
