package dev.soma.resilience.tenant;

import dev.soma.resilience.common.db.JsonRows;
import dev.soma.resilience.common.db.TimeCursor;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.NoSuchElementException;

/**
 * What tenants and keys exist, for operators: tenants in id order a page at a time, and a tenant's
 * keys (revoked ones too, with who revoked them and when). Never a key's secret or its hash: a key
 * is shown whole only once, when {@link Tenants#createKey} makes it; its id is what revoking takes.
 */
public final class TenantDirectory {

  /** The most tenants, or keys, one answer lists. */
  public static final int PAGE_MAX = 500;

  /** Tenants whose id comes after {@code $1} ('' for the first), with active keys; {@code $2}. */
  static final String TENANTS =
      "SELECT t.id, t.name, t.created_at,"
          + " (SELECT count(*) FROM api_keys k WHERE k.tenant_id = t.id AND k.revoked_at IS NULL)"
          + " AS active_keys FROM tenants t WHERE t.id > $1 ORDER BY t.id LIMIT $2";

  /**
   * The keys of tenant {@code $1}, newest first, at most {@code $2}, those after the cursor {@code
   * ($3, $4)} when {@code $3} is not null: one row with null key columns when it has none (there),
   * no row when there is no such tenant.
   */
  static final String KEYS =
      "SELECT k.id, k.label, k.created_at, k.created_by, k.revoked_at, k.revoked_by"
          + " FROM tenants t LEFT JOIN LATERAL (SELECT id, label, created_at, created_by,"
          + " revoked_at, revoked_by FROM api_keys WHERE tenant_id = t.id"
          + " AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::text))"
          + " ORDER BY created_at DESC, id DESC LIMIT $2) k ON true WHERE t.id = $1"
          + " ORDER BY k.created_at DESC, k.id DESC";

  private final Pool pool;

  public TenantDirectory(Pool pool) {
    this.pool = pool;
  }

  /**
   * {@code {"tenants": [{id, name, createdAt, activeKeys}], "nextCursor"}}: at most {@code limit}
   * tenants whose id comes after {@code cursor} (null: from the first); {@code nextCursor} is the
   * next page's cursor when there are more, null on the last page.
   *
   * @throws IllegalArgumentException at once when {@code cursor} is not one this list returned
   */
  public Future<JsonObject> tenants(String cursor, int limit) {
    requireTenantCursor(cursor);
    return pool.preparedQuery(TENANTS)
        .execute(Tuple.of(cursor == null ? "" : cursor, limit + 1)) // one more: is there a next?
        .map(
            rows -> {
              JsonArray tenants = new JsonArray();
              String last = null;
              for (Row row : rows) {
                if (tenants.size() == limit) {
                  return page(tenants, last);
                }
                last = row.getString("id");
                tenants.add(
                    new JsonObject()
                        .put("id", last)
                        .put("name", row.getString("name"))
                        .put("createdAt", JsonRows.instant(row, "created_at"))
                        .put("activeKeys", row.getLong("active_keys")));
              }
              return page(tenants, null);
            });
  }

  /**
   * Refuses a cursor {@link #tenants} cannot have returned: its cursors are tenant ids.
   *
   * @throws IllegalArgumentException when {@code cursor} is neither null nor a tenant id
   */
  public static void requireTenantCursor(String cursor) {
    if (cursor != null && !Tenants.isValidId(cursor)) {
      throw new IllegalArgumentException("'cursor' is not a cursor this list returned");
    }
  }

  private static JsonObject page(JsonArray tenants, String nextCursor) {
    return new JsonObject().put("tenants", tenants).put("nextCursor", nextCursor);
  }

  /**
   * {@code {"tenantId", "keys": [{keyId, label, createdAt, createdBy, revokedAt?, revokedBy?}],
   * "nextCursor"}}: newest first, at most {@code limit}, after {@code cursor} (null: from the
   * newest); {@code nextCursor} is null on the last page. Fails with {@link NoSuchElementException}
   * when there is no such tenant.
   *
   * @throws IllegalArgumentException at once when {@code cursor} is not one this list returned
   */
  public Future<JsonObject> keys(String tenantId, String cursor, int limit) {
    TimeCursor after = TimeCursor.parse(cursor);
    Tuple args =
        Tuple.of(
            tenantId,
            limit + 1, // one more: is there a next page?
            after == null ? null : after.at(),
            after == null ? null : after.id());
    return pool.preparedQuery(KEYS)
        .execute(args)
        .compose(
            rows -> {
              if (rows.size() == 0) {
                return Future.failedFuture(
                    new NoSuchElementException("no tenant '" + tenantId + "'"));
              }
              return Future.succeededFuture(
                  new JsonObject()
                      .put("tenantId", tenantId)
                      .mergeIn(TimeCursor.page(rows, limit, "keys", "id", TenantDirectory::key)));
            });
  }

  private static JsonObject key(Row row) {
    JsonObject key =
        new JsonObject()
            .put("keyId", row.getString("id"))
            .put("label", row.getString("label"))
            .put("createdAt", JsonRows.instant(row, "created_at"))
            .put("createdBy", row.getString("created_by"));
    if (row.getValue("revoked_at") != null) {
      key.put("revokedAt", JsonRows.instant(row, "revoked_at"))
          .put("revokedBy", row.getString("revoked_by"));
    }
    return key;
  }
}
