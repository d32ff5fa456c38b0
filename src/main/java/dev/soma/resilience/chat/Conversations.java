package dev.soma.resilience.chat;

import dev.soma.resilience.common.ControlFlowException;
import dev.soma.resilience.common.db.Transaction;
import dev.soma.resilience.outbox.Outbox;
import dev.soma.resilience.outbox.OutboxEntry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.function.Supplier;

/**
 * Conversation messages and tool results, each written with its event on the caller's transaction:
 * a user's message goes to {@code conversation.inbound}, the agent's reply to {@code
 * conversation.outbound}, keyed {@code conv:<conversation>:<message>}; a tool result goes to {@code
 * tool.results}, keyed {@code tool:<execution>}. All of a conversation's events are ordered by its
 * partition key {@code conv:<conversation>}. Every query is scoped by tenant.
 */
public final class Conversations {

  public static final String INBOUND = "conversation.inbound";
  public static final String OUTBOUND = "conversation.outbound";
  public static final String TOOL_RESULTS = "tool.results";

  static final String INSERT_MESSAGE =
      """
      INSERT INTO conversation_messages (tenant_id, conversation_id, message_id, role, content, metadata)
      VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING\
      """;
  static final String LIST_MESSAGES =
      """
      SELECT message_id, role, content, metadata, created_at FROM conversation_messages
       WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY created_at, message_id LIMIT $3\
      """;
  static final String INSERT_TOOL_RESULT =
      """
      INSERT INTO tool_executions (tenant_id, execution_id, conversation_id, tool_name, status, result)
      VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING\
      """;

  /** A message that already exists: its ids are the client's to choose, once. */
  public static final class DuplicateMessage extends ControlFlowException {
    DuplicateMessage(String conversation, String message) {
      super("message '" + message + "' already exists in conversation '" + conversation + "'");
    }
  }

  /** A tool execution that already has a result: its id is the client's to choose, once. */
  public static final class DuplicateToolResult extends ControlFlowException {
    DuplicateToolResult(String execution) {
      super("tool execution '" + execution + "' already has a result");
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

  /** The dedupe key of a tool execution's result event. */
  public static String toolEventKey(String execution) {
    return "tool:" + execution;
  }

  /**
   * Stores a message and its event on {@code tx}; fails with {@link DuplicateMessage} when the
   * tenant already has a message with this id in the conversation. Completes with the event key.
   */
  public Future<String> store(
      Transaction tx,
      String tenant,
      String conversation,
      String message,
      String role,
      String content,
      JsonObject metadata) {
    String topic = role.equals("assistant") ? OUTBOUND : INBOUND;
    return storeOnce(
        tx,
        INSERT_MESSAGE,
        Tuple.of(tenant, conversation, message, role, content, metadata),
        () -> new DuplicateMessage(conversation, message),
        OutboxEntry.of(
            tenant,
            eventKey(conversation, message),
            topic,
            "conv:" + conversation,
            new JsonObject()
                .put("conversationId", conversation)
                .put("messageId", message)
                .put("role", role)
                .put("content", content)
                .put("metadata", metadata)));
  }

  /**
   * Stores a tool execution's result and its event on {@code tx}; fails with {@link
   * DuplicateToolResult} when the tenant already has a result for this execution. Completes with
   * the event key.
   */
  public Future<String> storeToolResult(
      Transaction tx,
      String tenant,
      String conversation,
      String execution,
      String tool,
      String status,
      Object result) {
    JsonObject stored = new JsonObject().put("value", result);
    return storeOnce(
        tx,
        INSERT_TOOL_RESULT,
        Tuple.of(tenant, execution, conversation, tool, status, stored),
        () -> new DuplicateToolResult(execution),
        OutboxEntry.of(
            tenant,
            toolEventKey(execution),
            TOOL_RESULTS,
            "conv:" + conversation,
            new JsonObject()
                .put("conversationId", conversation)
                .put("executionId", execution)
                .put("toolName", tool)
                .put("status", status)
                .put("result", result)));
  }

  /**
   * Runs {@code insert} with {@code row} on {@code tx} and, when it stored the row, enqueues {@code
   * event}; when the row was there already, fails with {@code duplicate}. Completes with the
   * event's dedupe key.
   */
  private Future<String> storeOnce(
      Transaction tx,
      String insert,
      Tuple row,
      Supplier<RuntimeException> duplicate,
      OutboxEntry event) {
    return tx.preparedQuery(insert)
        .execute(row)
        .compose(
            rows ->
                rows.rowCount() == 0
                    ? Future.failedFuture(duplicate.get())
                    : outbox.enqueue(tx, event))
        .map(created -> event.dedupeKey());
  }

  /**
   * The tenant's messages in {@code conversation}, oldest first (at most 1,000), as JSON; empty
   * when the tenant has no such conversation.
   */
  public static Future<JsonArray> messages(SqlClient client, String tenant, String conversation) {
    return messages(client, tenant, conversation, 1000);
  }

  /** The first {@code limit} of the tenant's messages in {@code conversation}, oldest first. */
  public static Future<JsonArray> messages(
      SqlClient client, String tenant, String conversation, int limit) {
    return client
        .preparedQuery(LIST_MESSAGES)
        .execute(Tuple.of(tenant, conversation, limit))
        .map(
            rows -> {
              JsonArray messages = new JsonArray();
              rows.forEach(
                  row ->
                      messages.add(
                          new JsonObject()
                              .put("messageId", row.getString("message_id"))
                              .put("role", row.getString("role"))
                              .put("content", row.getString("content"))
                              .put("metadata", row.getJsonObject("metadata"))
                              .put(
                                  "createdAt",
                                  row.getOffsetDateTime("created_at").toInstant().toString())));
              return messages;
            });
  }
}
