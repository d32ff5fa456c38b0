package dev.soma.resilience.chat;

import dev.soma.resilience.outbox.OutboxEntry;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;

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
    JsonObject metadata)
    implements StoredRow {

  /**
   * The message read back from {@link #toJson}'s form, as {@code tenant}'s (fields it does not know
   * are left alone).
   */
  public static ConversationMessage fromJson(String tenant, JsonObject json) {
    return new ConversationMessage(
        tenant,
        json.getString("conversationId"),
        json.getString("messageId"),
        json.getString("role"),
        json.getString("content"),
        json.getJsonObject("metadata"));
  }

  /**
   * {@code {"conversationId", "messageId", "role", "content", "metadata"}}: what its event carries
   * and the journal keeps; the tenant travels beside it.
   */
  public JsonObject toJson() {
    return new JsonObject()
        .put("conversationId", conversation)
        .put("messageId", message)
        .put("role", role)
        .put("content", content)
        .put("metadata", metadata);
  }

  /** Its values in the order of {@link Conversations#INSERT_MESSAGES}' columns. */
  @Override
  public List<String> columns() {
    return Arrays.asList(
        tenant, conversation, message, role, content, metadata == null ? null : metadata.encode());
  }

  /** The tenant's, conversation's and message's ids. */
  @Override
  public List<String> key() {
    return Arrays.asList(tenant, conversation, message);
  }

  /** {@link Conversations#eventKey} of its conversation and message. */
  @Override
  public String eventKey() {
    return Conversations.eventKey(conversation, message);
  }

  /** Its event: to {@code conversation.outbound} for the agent's reply, inbound otherwise. */
  @Override
  public OutboxEntry event() {
    return OutboxEntry.of(
        tenant,
        eventKey(),
        role.equals("assistant") ? Conversations.OUTBOUND : Conversations.INBOUND,
        "conv:" + conversation,
        toJson());
  }
}
