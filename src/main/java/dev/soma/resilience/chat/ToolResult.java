package dev.soma.resilience.chat;

import dev.soma.resilience.outbox.OutboxEntry;
import io.vertx.core.json.JsonObject;

/**
 * A tool execution's result to store ({@link Conversations#storeToolResults}): {@code status} is
 * {@code succeeded} or {@code failed}, {@code result} any JSON value.
 */
public record ToolResult(
    String tenant,
    String conversation,
    String execution,
    String tool,
    String status,
    Object result) {

  /** Its event, to {@code tool.results}. */
  OutboxEntry event() {
    return OutboxEntry.of(
        tenant,
        Conversations.toolEventKey(execution),
        Conversations.TOOL_RESULTS,
        "conv:" + conversation,
        new JsonObject()
            .put("conversationId", conversation)
            .put("executionId", execution)
            .put("toolName", tool)
            .put("status", status)
            .put("result", result));
  }
}
