package dev.soma.resilience.chat;

import dev.soma.resilience.outbox.Outbox;
import dev.soma.resilience.outbox.OutboxEntry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * Conversation messages and their events, written together on the caller's transaction: a user's
 * message goes to {@code conversation.inbound}, the agent's reply to {@code conversation.outbound},
 * keyed {@code conv:<conversation>:<message>} and ordered per conversation.
 */
public final class Conversations {

  public static final String INBOUND = "conversation.inbound";
  public static final String OUTBOUND = "conversation.outbound";

  static final String INSERT_MESSAGE =
      """
      INSERT INTO conversation_messages (tenant_id, conversation_id, message_id, role, content, metadata)
      VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING\
      """;

  /** A message that already exists: its ids are the client's to choose, once. */
  public static final class DuplicateMessage extends RuntimeException {
    DuplicateMessage(String conversation, String message) {
      super(
          "message '" + message + "' already exists in conversation '" + conversation + "'",
          null,
          false,
          false);
    }
  }

  private final Outbox outbox;

  public Conversations(Outbox outbox) {
    this.outbox = outbox;
  }

  /** The dedupe key of a message's event. */
  public static String eventKey(String conversation, String message) {
    return "conv:" + conversation + ":" + message;
  }

  /**
   * Stores a message and its event on {@code tx}; fails with {@link DuplicateMessage} when the
   * tenant already has a message with this id in the conversation. Completes with the event key.
   */
  public Future<String> store(
      SqlConnection tx,
      String tenant,
      String conversation,
      String message,
      String role,
      String content,
      JsonObject metadata) {
    String key = eventKey(conversation, message);
    String topic = role.equals("assistant") ? OUTBOUND : INBOUND;
    return tx.preparedQuery(INSERT_MESSAGE)
        .execute(Tuple.of(tenant, conversation, message, role, content, metadata))
        .compose(
            rows ->
                rows.rowCount() == 0
                    ? Future.failedFuture(new DuplicateMessage(conversation, message))
                    : outbox.enqueue(
                        tx,
                        OutboxEntry.of(
                            tenant,
                            key,
                            topic,
                            "conv:" + conversation,
                            new JsonObject()
                                .put("conversationId", conversation)
                                .put("messageId", message)
                                .put("role", role)
                                .put("content", content)
                                .put("metadata", metadata))))
        .map(created -> key);
  }
}
