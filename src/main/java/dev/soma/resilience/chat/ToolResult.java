package dev.soma.resilience.chat;

import dev.soma.resilience.outbox.OutboxEntry;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;

/**
 * A tool execution's result to store ({@link Conversations#storeToolResults}): {@code status} is
 * {@code succeeded} or {@code failed}, {@code result} any JSON value.
 */
public record ToolResult(
    String tenant, String conversation, String execution, String tool, String status, Object result)
    implements StoredRow {

  /**
   * The result read back from {@link #toJson}'s form, as {@code tenant}'s (fields it does not know
   * are left alone).
   */
  public static ToolResult fromJson(String tenant, JsonObject json) {
    return new ToolResult(
        tenant,
        json.getString("conversationId"),
        json.getString("executionId"),
        json.getString("toolName"),
        json.getString("status"),
        json.getValue("result"));
  }

  /**
   * {@code {"conversationId", "executionId", "toolName", "status", "result"}}: what its event
   * carries and the journal keeps; the tenant travels beside it.
   */
  public JsonObject toJson() {
    return new JsonObject()
        .put("conversationId", conversation)
        .put("executionId", execution)
        .put("toolName", tool)
        .put("status", status)
        .put("result", result);
  }

  /** Its values in the order of {@link Conversations#INSERT_TOOL_RESULTS}' columns. */
  @Override
  public List<String> columns() {
    return Arrays.asList(
        tenant,
        execution,
        conversation,
        tool,
        status,
        new JsonObject().put("value", result).encode());
  }

  /** The tenant's and the execution's ids. */
  @Override
  public List<String> key() {
    return Arrays.asList(tenant, execution);
  }

  /** {@link Conversations#toolEventKey} of its execution. */
  @Override
  public String eventKey() {
    return Conversations.toolEventKey(execution);
  }

  /** Its event, to {@code tool.results}. */
  @Override
  public OutboxEntry event() {
    return OutboxEntry.of(
        tenant, eventKey(), Conversations.TOOL_RESULTS, "conv:" + conversation, toJson());
  }
}
