package dev.soma.resilience.chat;

import dev.soma.resilience.outbox.OutboxEntry;
import io.vertx.core.json.JsonObject;

/**
 * A conversation message to store ({@link Conversations#storeAll}): the client's ids, its role
 * ({@code user}, {@code assistant}, {@code system} or {@code tool}), its content and metadata.
 */
public record ConversationMessage(
    String tenant,
    String conversation,
    String message,
    String role,
    String content,
    JsonObject metadata) {

  /** Its event: to {@code conversation.outbound} for the agent's reply, inbound otherwise. */
  OutboxEntry event() {
    return OutboxEntry.of(
        tenant,
        Conversations.eventKey(conversation, message),
        role.equals("assistant") ? Conversations.OUTBOUND : Conversations.INBOUND,
        "conv:" + conversation,
        new JsonObject()
            .put("conversationId", conversation)
            .put("messageId", message)
            .put("role", role)
            .put("content", content)
            .put("metadata", metadata));
  }
}
