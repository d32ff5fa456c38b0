package dev.soma.resilience.api;

import dev.soma.resilience.failover.llm.LlmError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a client is told when a chat turn fails (an SSE {@code error} event, a WebSocket error
 * message, a problem's detail): words chosen by the error's status, never the chain's own message,
 * which can quote a provider's answer or an exception ({@code io.vertx.core.json.DecodeException:
 * ...}). That message goes to the log instead.
 */
final class TurnErrors {

  private static final Logger LOG = LoggerFactory.getLogger(TurnErrors.class);

  private TurnErrors() {}

  /** The words for {@code error}; its own message is logged. */
  static String words(LlmError error) {
    LOG.info("a chat turn failed with {}: {}", error.status(), error.message());
    return switch (error.status()) {
      case LlmError.BAD_REQUEST ->
          "the language model refused this request as invalid; change it before retrying";
      case LlmError.UPSTREAM_FAILED ->
          "the answer broke off after part of it was sent; it is safe to retry the turn";
      case LlmError.DEADLINE_EXCEEDED -> "the answer did not finish in time; retry shortly";
      default -> "no language model could answer now; retry shortly";
    };
  }
}
