package dev.soma.resilience.chat;

import dev.soma.resilience.common.ControlFlowException;
import dev.soma.resilience.common.db.JsonRows;
import dev.soma.resilience.common.db.TimeCursor;
import dev.soma.resilience.common.db.Transaction;
import dev.soma.resilience.outbox.Outbox;
import dev.soma.resilience.outbox.OutboxEntry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
   * order, each a microsecond after the one before it (a journal replay writes many messages in one
   * transaction, whose {@code now()} they would otherwise share, and the listing orders by creation
   * time: the order is the array's, not the message ids'); a message the tenant's conversation has
   * already, or that comes twice in the arrays, is left out of the rows returned.
   */
  static final String INSERT_MESSAGES =
      """
      INSERT INTO conversation_messages (tenant_id, conversation_id, message_id, role, content, metadata,
                                         created_at)
      SELECT m.tenant_id, m.conversation_id, m.message_id, m.role, m.content, m.metadata::jsonb,
             now() + (m.n - 1) * interval '1 microsecond'
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
             WITH ORDINALITY AS m (tenant_id, conversation_id, message_id, role, content, metadata, n)
       ORDER BY m.n
      ON CONFLICT DO NOTHING
      RETURNING tenant_id, conversation_id, message_id\
      """;

  /** Oldest first, at most {@code $3}, after the cursor {@code ($4, $5)} when {@code $4} is set. */
  static final String LIST_MESSAGES =
      """
      SELECT message_id, role, content, metadata, created_at FROM conversation_messages
       WHERE tenant_id = $1 AND conversation_id = $2
         AND ($4::timestamptz IS NULL OR (created_at, message_id) > ($4::timestamptz, $5::text))
       ORDER BY created_at, message_id LIMIT $3\
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
   * Stores {@code messages} and their events on {@code tx} with one statement each, in list order
   * (so the events' ids follow the list); fails with {@link DuplicateMessage} when one of them is
   * there already or comes twice in the list, and then the caller must roll back (the others' rows
   * are written). Completes with the event keys, in list order.
   */
  public Future<List<String>> storeAll(Transaction tx, List<ConversationMessage> messages) {
    return storeOnce(
        tx,
        INSERT_MESSAGES,
        messages,
        i -> new DuplicateMessage(messages.get(i).conversation(), messages.get(i).message()));
  }

  /**
   * Stores {@code results} and their events on {@code tx} as {@link #storeAll} stores messages;
   * fails with {@link DuplicateToolResult}.
   */
  public Future<List<String>> storeToolResults(Transaction tx, List<ToolResult> results) {
    return storeOnce(
        tx, INSERT_TOOL_RESULTS, results, i -> new DuplicateToolResult(results.get(i).execution()));
  }

  /**
   * Runs {@code insert} with the columns of {@code rows} on {@code tx} and, when it stored every
   * row, enqueues their events; when a row was not stored (the {@code i}th), fails with {@code
   * duplicate} of {@code i}. Completes with the events' dedupe keys.
   */
  private Future<List<String>> storeOnce(
      Transaction tx,
      String insert,
      List<? extends StoredRow> rows,
      IntFunction<RuntimeException> duplicate) {
    if (rows.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<OutboxEntry> events = rows.stream().map(StoredRow::event).toList();
    List<String> ids = rows.stream().map(row -> id(row.key())).toList();
    return tx.preparedQuery(insert)
        .execute(Tuple.from((Object[]) columns(rows)))
        .compose(
            stored -> {
              int missing = firstNotStored(ids, stored);
              return missing >= 0
                  ? Future.failedFuture(duplicate.apply(missing))
                  : outbox.enqueueAll(tx, events);
            })
        .map(created -> events.stream().map(OutboxEntry::dedupeKey).toList());
  }

  /** The insert's parameter arrays: the {@code c}th holds every row's {@code c}th value. */
  private static String[][] columns(List<? extends StoredRow> rows) {
    String[][] columns = new String[rows.get(0).columns().size()][rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      List<String> values = rows.get(i).columns();
      for (int c = 0; c < columns.length; c++) {
        columns[c][i] = values.get(c);
      }
    }
    return columns;
  }

  /**
   * The index of the first of {@code ids} that {@code rows} (each a stored row's key) does not hold
   * once; -1: none.
   */
  private static int firstNotStored(List<String> ids, RowSet<Row> rows) {
    if (rows.rowCount() == ids.size()) {
      return -1;
    }
    Set<String> stored = new HashSet<>();
    rows.forEach(row -> stored.add(id(keyOf(row))));
    for (int i = 0; i < ids.size(); i++) {
      if (!stored.remove(ids.get(i))) {
        return i;
      }
    }
    return -1;
  }

  private static List<String> keyOf(Row row) {
    List<String> key = new ArrayList<>(row.size());
    for (int c = 0; c < row.size(); c++) {
      key.add(row.getString(c));
    }
    return key;
  }

  private static String id(List<String> key) {
    return String.join("\n", key);
  }

  /**
   * A page of the tenant's messages in {@code conversation}, oldest first: {@code {"messages":
   * [...], "nextCursor"}}, at most {@code limit} after {@code after} (null: from the first); {@code
   * nextCursor} is null on the last page. No messages and no cursor: the tenant has no such
   * conversation.
   */
  public static Future<JsonObject> messages(
      SqlClient client, String tenant, String conversation, TimeCursor after, int limit) {
    return client
        .preparedQuery(LIST_MESSAGES)
        .execute(
            Tuple.of(
                tenant,
                conversation,
                limit + 1, // one more: is there a next page?
                after == null ? null : after.at(),
                after == null ? null : after.id()))
        .map(
            rows -> TimeCursor.page(rows, limit, "messages", "message_id", Conversations::message));
  }

  private static JsonObject message(Row row) {
    return new JsonObject()
        .put("messageId", row.getString("message_id"))
        .put("role", row.getString("role"))
        .put("content", row.getString("content"))
        .put("metadata", row.getJsonObject("metadata"))
        .put("createdAt", JsonRows.instant(row, "created_at"));
  }
}
