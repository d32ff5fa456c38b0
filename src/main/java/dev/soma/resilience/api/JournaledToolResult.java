package dev.soma.resilience.api;

import dev.soma.resilience.chat.Conversations;
import dev.soma.resilience.chat.ToolResult;
import dev.soma.resilience.common.db.Transaction;
import dev.soma.resilience.journal.BatchedKind;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A tool execution's result as a write the journal can hold: its {@link ToolResult#toJson}, stored
 * by {@link Conversations#storeToolResults} with its event, live or replayed. An execution that has
 * a result already is a duplicate: 409 live, "already applied" in a replay.
 */
final class JournaledToolResult implements BatchedKind<ToolResult> {

  static final String NAME = "conversation.tool-result";

  private final Conversations conversations;

  JournaledToolResult(Conversations conversations) {
    this.conversations = conversations;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String dedupeKey(String tenant, JsonObject request) {
    return Conversations.toolEventKey(request.getString("executionId"));
  }

  @Override
  public ToolResult row(String tenant, JsonObject request) {
    return ToolResult.fromJson(tenant, request);
  }

  @Override
  public Future<List<String>> storeAll(Transaction tx, List<ToolResult> results) {
    return conversations.storeToolResults(tx, results);
  }

  @Override
  public boolean alreadyApplied(Throwable failure) {
    return failure instanceof Conversations.DuplicateToolResult;
  }

  @Override
  public JsonObject journaledReply(JsonObject request) {
    return reply(request, "journaled");
  }

  private JsonObject reply(JsonObject request, String status) {
    return new JsonObject()
        .put("conversationId", request.getString("conversationId"))
        .put("executionId", request.getString("executionId"))
        .put("status", status)
        .put("eventKey", dedupeKey("", request));
  }
}
