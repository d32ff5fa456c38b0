package dev.soma.resilience.api;

import dev.soma.resilience.chat.Conversations;
import dev.soma.resilience.common.db.Transaction;
import dev.soma.resilience.journal.JournalKind;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * A conversation message as a write the journal can hold: {@code {"conversationId", "messageId",
 * "role", "content", "metadata"}}, stored by {@link Conversations#store} with its event, live or
 * replayed. A message id the conversation already has is a duplicate: 409 live, "already applied"
 * in a replay.
 */
final class JournaledMessage implements JournalKind {

  static final String NAME = "conversation.message";

  private final Conversations conversations;

  JournaledMessage(Conversations conversations) {
    this.conversations = conversations;
  }

  static JsonObject request(
      String conversation, String message, String role, String content, JsonObject metadata) {
    return new JsonObject()
        .put("conversationId", conversation)
        .put("messageId", message)
        .put("role", role)
        .put("content", content)
        .put("metadata", metadata);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String dedupeKey(String tenant, JsonObject request) {
    return Conversations.eventKey(
        request.getString("conversationId"), request.getString("messageId"));
  }

  @Override
  public Future<JsonObject> apply(Transaction tx, String tenant, JsonObject request) {
    return conversations
        .store(
            tx,
            tenant,
            request.getString("conversationId"),
            request.getString("messageId"),
            request.getString("role"),
            request.getString("content"),
            request.getJsonObject("metadata"))
        .map(eventKey -> reply(request, "accepted"));
  }

  /** Every replay sends the same two statements: the {@link Conversations} row, then its event. */
  @Override
  public boolean replaysPipelined() {
    return true;
  }

  @Override
  public boolean alreadyApplied(Throwable failure) {
    return failure instanceof Conversations.DuplicateMessage;
  }

  @Override
  public JsonObject journaledReply(JsonObject request) {
    return reply(request, "journaled");
  }

  private JsonObject reply(JsonObject request, String status) {
    return new JsonObject()
        .put("conversationId", request.getString("conversationId"))
        .put("messageId", request.getString("messageId"))
        .put("status", status)
        .put("eventKey", dedupeKey("", request));
  }
}
