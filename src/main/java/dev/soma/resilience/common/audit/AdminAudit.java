package dev.soma.resilience.common.audit;

import dev.soma.resilience.common.db.IdCursor;
import dev.soma.resilience.common.db.JsonRows;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * The operators' audit trail ({@code admin_audit}, sql/V8): who did what, when, with which request,
 * to how many rows, and whether it was a dry run. A mutating action writes its row with {@link
 * #record} on the transaction that makes its change, so the row exists exactly when the change
 * does; {@link #list} reads them newest first.
 */
public final class AdminAudit {

  static final String RECORD =
      """
      INSERT INTO admin_audit (operator, action, request, rows_affected, dry_run)
      VALUES ($1, $2, $3, $4, $5)
      RETURNING id\
      """;

  static final String ADD_ROWS =
      "UPDATE admin_audit SET rows_affected = rows_affected + $2 WHERE id = $1";

  static final String LIST =
      """
      SELECT id, operator, action, at, request, rows_affected, dry_run FROM admin_audit
       WHERE $1 = 0 OR id < $1
       ORDER BY id DESC LIMIT $2\
      """;

  /** One action: who ({@code operator}, not blank), what, with which request, on how many rows. */
  public record Entry(
      String operator, String action, JsonObject request, long rowsAffected, boolean dryRun) {
    public Entry {
      if (operator == null || operator.isBlank()) {
        throw new IllegalArgumentException("the operator is required: who is acting?");
      }
      if (action == null || action.isBlank()) {
        throw new IllegalArgumentException("the action is required");
      }
      request = request == null ? new JsonObject() : request;
    }
  }

  /** How many of a request's {@code ids} its audit row keeps (it keeps their count too). */
  public static final int AUDITED_IDS = 1000;

  /**
   * Puts {@code ids} into an audit {@code request} as its row keeps them: the first {@value
   * #AUDITED_IDS} as {@code ids}, and {@code idCount}.
   */
  public static JsonObject withIds(JsonObject request, List<?> ids) {
    return request
        .put(
            "ids",
            new JsonArray(new ArrayList<>(ids.subList(0, Math.min(AUDITED_IDS, ids.size())))))
        .put("idCount", ids.size());
  }

  private final Pool pool;

  public AdminAudit(Pool pool) {
    this.pool = pool;
  }

  /** Writes {@code entry} on {@code tx}, the transaction of the change it records. */
  public static Future<Void> record(SqlClient tx, Entry entry) {
    return recordCounted(tx, entry).mapEmpty();
  }

  /**
   * Writes {@code entry} on {@code tx} like {@link #record} and completes with its id, for an
   * action that changes its rows in several transactions: each later one adds its rows to the count
   * ({@link #addRows}), so the row always says how many were changed.
   */
  public static Future<Long> recordCounted(SqlClient tx, Entry entry) {
    return tx.preparedQuery(RECORD)
        .execute(
            Tuple.of(
                entry.operator(),
                entry.action(),
                entry.request(),
                entry.rowsAffected(),
                entry.dryRun()))
        .map(rows -> rows.iterator().next().getLong("id"));
  }

  /** Adds {@code rows} to audit row {@code id}'s count, on {@code tx}, the transaction of them. */
  public static Future<Void> addRows(SqlClient tx, long id, long rows) {
    return tx.preparedQuery(ADD_ROWS).execute(Tuple.of(id, rows)).mapEmpty();
  }

  /**
   * Up to {@code limit} entries, newest first, older than the entry {@code cursor} points at (null:
   * from the newest). The answer is {@code {"entries": [...], "nextCursor": ...}}, {@code
   * nextCursor} null on the last page.
   *
   * @throws IllegalArgumentException when {@code cursor} is not one this list returned
   */
  public Future<JsonObject> list(String cursor, int limit) {
    long before = IdCursor.parse(cursor);
    return pool.preparedQuery(LIST)
        .execute(Tuple.of(before, limit + 1))
        .map(rows -> IdCursor.page(rows, limit, "entries", AdminAudit::toJson));
  }

  private static JsonObject toJson(Row row) {
    return new JsonObject()
        .put("id", row.getLong("id"))
        .put("operator", row.getString("operator"))
        .put("action", row.getString("action"))
        .put("at", JsonRows.instant(row, "at"))
        .put("request", row.getJsonObject("request"))
        .put("rowsAffected", row.getLong("rows_affected"))
        .put("dryRun", row.getBoolean("dry_run"));
  }
}
