package dev.soma.resilience.api;

import dev.soma.resilience.chat.AgentTurns;
import dev.soma.resilience.chat.Conversations;
import dev.soma.resilience.common.http.Problem;
import dev.soma.resilience.failover.llm.LlmError;
import dev.soma.resilience.journal.JournalFullException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a client is told when a chat turn fails (an SSE {@code error} event, a WebSocket error
 * message, a problem): words chosen by the error's status, never the chain's own message, which can
 * quote a provider's answer or an exception ({@code io.vertx.core.json.DecodeException: ...}). That
 * message goes to the log instead.
 */
final class TurnErrors {

  private static final Logger LOG = LoggerFactory.getLogger(TurnErrors.class);

  private static final String JOURNAL_FULL =
      "the database is unreachable and the local journal is full";

  private TurnErrors() {}

  /** The words for {@code error}; its own message is logged. */
  static String words(LlmError error) {
    LOG.info("a chat turn failed with {}: {}", error.status(), error.message());
    return switch (error.status()) {
      case LlmError.BAD_REQUEST ->
          "the language model refused this request as invalid; change it before retrying";
      case LlmError.UPSTREAM_FAILED ->
          "the answer broke off after part of it was sent; it is safe to retry the turn";
      case LlmError.NOT_CONFIGURED ->
          "no language model provider is configured: the message is stored, but no turn can be"
              + " answered until an operator sets one (for example SA01_LLM_OPENAI_API_KEY)";
      case LlmError.DEADLINE_EXCEEDED -> "the answer did not finish in time; retry shortly";
      default -> "no language model could answer now; retry shortly";
    };
  }

  /**
   * What an SSE {@code error} event or a WebSocket error message says of {@code e}: {@code status},
   * {@code partial}, {@code message}, and {@code retryAfterMs} when the chain gave one.
   */
  static JsonObject message(Throwable e) {
    var failed = AgentTurns.failureOf(e);
    if (failed.isPresent()) {
      LlmError error = failed.get().error();
      JsonObject json =
          new JsonObject()
              .put("status", error.status())
              .put("partial", failed.get().partial())
              .put("message", TurnErrors.words(error));
      error.retryAfterMs().ifPresent(ms -> json.put("retryAfterMs", ms));
      return json;
    }
    if (e instanceof JournalFullException) {
      return new JsonObject()
          .put("status", 503)
          .put("partial", false)
          .put("message", JOURNAL_FULL + "; retry later");
    }
    if (e instanceof Conversations.DuplicateMessage) {
      return new JsonObject()
          .put("status", 409)
          .put("partial", false)
          .put("message", e.getMessage());
    }
    return new JsonObject()
        .put("status", 500)
        .put("partial", false)
        .put("message", "the turn could not be completed; it is safe to retry");
  }

  /** The problem answering a turn that failed with {@code e} before anything was sent. */
  static Throwable problem(Throwable e) {
    if (e instanceof Conversations.DuplicateMessage) {
      return Problem.conflict(e.getMessage());
    }
    if (e instanceof JournalFullException) {
      return Problem.unavailable(
          JOURNAL_FULL + "; the turn was not stored, retry later",
          IdempotentCreate.JOURNAL_FULL_RETRY_SECONDS);
    }
    var failed = AgentTurns.failureOf(e);
    if (failed.isEmpty()) {
      return e;
    }
    LlmError error = failed.get().error();
    if (error.status() == LlmError.BAD_REQUEST) {
      return Problem.badRequest(TurnErrors.words(error));
    }
    if (error.status() == LlmError.NOT_CONFIGURED) {
      return Problem.notConfigured(TurnErrors.words(error));
    }
    long retry = error.retryAfterMs().map(ms -> (ms + 999) / 1000).orElse(5L);
    return Problem.unavailable(TurnErrors.words(error), retry);
  }
}
