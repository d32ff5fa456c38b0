package dev.soma.resilience.chat;

import dev.soma.resilience.common.ControlFlowException;
import dev.soma.resilience.common.db.Transaction;
import dev.soma.resilience.outbox.Outbox;
import dev.soma.resilience.outbox.OutboxEntry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntFunction;

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

  /**
   * The messages' one insert, for one message or many: a row per array element, inserted in array
   * order; a message the tenant's conversation has already, or that comes twice in the arrays, is
   * left out of the rows returned.
   */
  static final String INSERT_MESSAGES =
      """
      INSERT INTO conversation_messages (tenant_id, conversation_id, message_id, role, content, metadata)
      SELECT m.tenant_id, m.conversation_id, m.message_id, m.role, m.content, m.metadata::jsonb
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
             WITH ORDINALITY AS m (tenant_id, conversation_id, message_id, role, content, metadata, n)
       ORDER BY m.n
      ON CONFLICT DO NOTHING
      RETURNING tenant_id, conversation_id, message_id\
      """;

  static final String LIST_MESSAGES =
      """
      SELECT message_id, role, content, metadata, created_at FROM conversation_messages
       WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY created_at, message_id LIMIT $3\
      """;

  /** The tool results' one insert, for one result or many, as {@link #INSERT_MESSAGES}. */
  static final String INSERT_TOOL_RESULTS =
      """
      INSERT INTO tool_executions (tenant_id, execution_id, conversation_id, tool_name, status, result)
      SELECT t.tenant_id, t.execution_id, t.conversation_id, t.tool_name, t.status, t.result::jsonb
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
             WITH ORDINALITY AS t (tenant_id, execution_id, conversation_id, tool_name, status, result, n)
       ORDER BY t.n
      ON CONFLICT DO NOTHING
      RETURNING tenant_id, execution_id\
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
    return storeAll(
            tx,
            List.of(
                new ConversationMessage(tenant, conversation, message, role, content, metadata)))
        .map(keys -> keys.get(0));
  }

  /**
   * Stores {@code messages} and their events on {@code tx} with one statement each, in list order
   * (so the events' ids follow the list); fails with {@link DuplicateMessage} when one of them is
   * there already or comes twice in the list, and then the caller must roll back (the others' rows
   * are written). Completes with the event keys, in list order.
   */
  public Future<List<String>> storeAll(Transaction tx, List<ConversationMessage> messages) {
    int n = messages.size();
    String[][] columns = new String[6][n];
    List<String> ids = new ArrayList<>(n);
    List<OutboxEntry> events = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ConversationMessage m = messages.get(i);
      columns[0][i] = m.tenant();
      columns[1][i] = m.conversation();
      columns[2][i] = m.message();
      columns[3][i] = m.role();
      columns[4][i] = m.content();
      columns[5][i] = m.metadata() == null ? null : m.metadata().encode();
      ids.add(id(m.tenant(), m.conversation(), m.message()));
      events.add(m.event());
    }
    return storeOnce(
        tx,
        INSERT_MESSAGES,
        columns,
        ids,
        row -> id(row.getString(0), row.getString(1), row.getString(2)),
        i -> new DuplicateMessage(messages.get(i).conversation(), messages.get(i).message()),
        events);
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
    return storeToolResults(
            tx, List.of(new ToolResult(tenant, conversation, execution, tool, status, result)))
        .map(keys -> keys.get(0));
  }

  /**
   * Stores {@code results} and their events on {@code tx} as {@link #storeAll} stores messages;
   * fails with {@link DuplicateToolResult}.
   */
  public Future<List<String>> storeToolResults(Transaction tx, List<ToolResult> results) {
    int n = results.size();
    String[][] columns = new String[6][n];
    List<String> ids = new ArrayList<>(n);
    List<OutboxEntry> events = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ToolResult r = results.get(i);
      columns[0][i] = r.tenant();
      columns[1][i] = r.execution();
      columns[2][i] = r.conversation();
      columns[3][i] = r.tool();
      columns[4][i] = r.status();
      columns[5][i] = new JsonObject().put("value", r.result()).encode();
      ids.add(id(r.tenant(), r.execution()));
      events.add(r.event());
    }
    return storeOnce(
        tx,
        INSERT_TOOL_RESULTS,
        columns,
        ids,
        row -> id(row.getString(0), row.getString(1)),
        i -> new DuplicateToolResult(results.get(i).execution()),
        events);
  }

  /**
   * Runs {@code insert} with {@code columns} on {@code tx} and, when it stored every row, enqueues
   * {@code events}; when a row was not stored (the {@code i}th, identified by {@code ids}, and by
   * {@code idOf} in the rows the insert returns), fails with {@code duplicate} of {@code i}.
   * Completes with the events' dedupe keys.
   */
  private Future<List<String>> storeOnce(
      Transaction tx,
      String insert,
      String[][] columns,
      List<String> ids,
      Function<Row, String> idOf,
      IntFunction<RuntimeException> duplicate,
      List<OutboxEntry> events) {
    return tx.preparedQuery(insert)
        .execute(Tuple.from((Object[]) columns))
        .compose(
            rows -> {
              int missing = firstNotStored(ids, rows, idOf);
              return missing >= 0
                  ? Future.failedFuture(duplicate.apply(missing))
                  : outbox.enqueueAll(tx, events);
            })
        .map(created -> events.stream().map(OutboxEntry::dedupeKey).toList());
  }

  /** The index of the first of {@code ids} that {@code rows} does not hold once; -1: none. */
  private static int firstNotStored(
      List<String> ids, RowSet<Row> rows, Function<Row, String> idOf) {
    if (rows.rowCount() == ids.size()) {
      return -1;
    }
    Set<String> stored = new HashSet<>();
    rows.forEach(row -> stored.add(idOf.apply(row)));
    for (int i = 0; i < ids.size(); i++) {
      if (!stored.remove(ids.get(i))) {
        return i;
      }
    }
    return -1;
  }

  private static String id(String... parts) {
    return String.join("\n", parts);
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
