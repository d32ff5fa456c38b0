package dev.soma.resilience.outbox;

import dev.soma.resilience.common.db.IdCursor;
import dev.soma.resilience.common.db.JsonRows;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Read-only views of the outbox for operators: its rows by {@link OutboxFilter}, paged by keyset on
 * id (oldest first), and a per-tenant summary. Neither changes anything nor takes a lock.
 *
 * <p>Cost at a million rows: a list page reads at most its rows plus the rows the filter skips
 * between them, walking an index in id order: the pending index ({@code ix_outbox_pending_tenant})
 * for pending and retrying rows of a tenant, the dead index ({@code ix_outbox_dead_tenant}, sql/V8)
 * for dead rows of a tenant, the primary key otherwise. The summary reads pending, dead and the
 * last hour's published rows only, through their partial indexes, never the older published rows.
 */
public final class OutboxInspection {

  /** The list's columns (row {@code o}); the payload is left out: pages stay small. */
  static final String LIST_COLUMNS =
      "o.id, o.tenant_id, o.dedupe_key, o.topic, o.partition_key, "
          + OutboxState.OF_ROW
          + " AS state, o.attempts, o.max_attempts, o.next_attempt_at, o.created_at,"
          + " o.published_at, o.last_error, o.headers, (o.replayed OR EXISTS (SELECT 1 FROM"
          + " outbox_replay_schedule s WHERE s.outbox_id = o.id)) AS replayed";

  /** The list: {@code %s} is the filter's conditions (constants and {@code $n} parameters only). */
  static final String LIST =
      "SELECT "
          + LIST_COLUMNS
          + " FROM outbox_messages o WHERE %s AND o.id > $%d ORDER BY o.id LIMIT $%d";

  /** Per tenant: the backlog, its retrying part, dead rows, the last hour's published rows. */
  static final String SUMMARY =
      """
      SELECT o.tenant_id,
             count(*) FILTER (WHERE o.status = 'pending') AS pending,
             count(*) FILTER (WHERE o.status = 'pending' AND %s) AS retrying,
             count(*) FILTER (WHERE o.status = 'dead') AS dead,
             count(*) FILTER (WHERE o.status = 'published') AS published_last_hour,
             floor(extract(epoch FROM now() - min(o.created_at)
                   FILTER (WHERE o.status = 'pending')))::bigint AS oldest_pending_seconds
        FROM outbox_messages o
       WHERE o.status = 'pending' OR o.status = 'dead'
          OR (o.status = 'published' AND o.published_at > now() - interval '1 hour')
       GROUP BY o.tenant_id
       ORDER BY o.tenant_id\
      """
          .formatted(OutboxState.RETRYING_RULE);

  private final Pool pool;

  public OutboxInspection(Pool pool) {
    this.pool = pool;
  }

  /**
   * Up to {@code limit} rows matching {@code filter}, oldest first, after the row {@code cursor}
   * points at (null: from the first). Answers {@code {"events": [...], "nextCursor": ...}}, {@code
   * nextCursor} null on the last page.
   *
   * @throws IllegalArgumentException when {@code cursor} is not one this list returned
   */
  public Future<JsonObject> list(OutboxFilter filter, String cursor, int limit) {
    long after = IdCursor.parse(cursor);
    List<Object> values = new ArrayList<>();
    String where = filter.where(values);
    values.add(after);
    values.add(limit + 1);
    String sql = LIST.formatted(where, values.size() - 1, values.size());
    return pool.preparedQuery(sql)
        .execute(Tuple.wrap(values))
        .map(rows -> IdCursor.page(rows, limit, "events", OutboxInspection::toJson));
  }

  /** One entry per tenant with pending, dead or recently published rows, by tenant id. */
  public Future<JsonObject> summary() {
    return pool.query(SUMMARY)
        .execute()
        .map(
            rows ->
                new JsonObject().put("tenants", JsonRows.array(rows, OutboxInspection::tenant)));
  }

  private static JsonObject tenant(Row row) {
    return new JsonObject()
        .put("tenantId", row.getString("tenant_id"))
        .put("pending", row.getLong("pending"))
        .put("retrying", row.getLong("retrying"))
        .put("dead", row.getLong("dead"))
        .put("publishedLastHour", row.getLong("published_last_hour"))
        .put("oldestPendingSeconds", row.getLong("oldest_pending_seconds"));
  }

  private static JsonObject toJson(Row row) {
    return new JsonObject()
        .put("id", row.getLong("id"))
        .put("tenantId", row.getString("tenant_id"))
        .put("dedupeKey", row.getString("dedupe_key"))
        .put("topic", row.getString("topic"))
        .put("partitionKey", row.getString("partition_key"))
        .put("state", row.getString("state"))
        .put("attempts", row.getInteger("attempts"))
        .put("maxAttempts", row.getInteger("max_attempts"))
        .put("nextAttemptAt", time(row.getOffsetDateTime("next_attempt_at")))
        .put("createdAt", time(row.getOffsetDateTime("created_at")))
        .put("publishedAt", time(row.getOffsetDateTime("published_at")))
        .put("lastError", row.getString("last_error"))
        .put("replayed", row.getBoolean("replayed"))
        .put("headers", row.getJsonObject("headers"));
  }

  private static String time(OffsetDateTime at) {
    return at == null ? null : at.toInstant().toString();
  }
}
