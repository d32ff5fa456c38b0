package dev.soma.resilience.breaker;

import dev.soma.resilience.breaker.internal.OverrideSync;
import dev.soma.resilience.common.audit.AdminAudit;
import dev.soma.resilience.common.audit.AuditedTable;
import dev.soma.resilience.common.db.TableSync;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The operators' overrides as stored ({@code breaker_overrides}, sql/V9): kept across restarts,
 * shared by every process. {@link #force} and {@link #release} change one breaker's row, write its
 * {@code admin_audit} row and {@code NOTIFY} {@value #CHANNEL} in one transaction, so the change,
 * its audit and the other processes' wake-up exist together or not at all; {@link #load} reads the
 * whole set. Storing changes no breaker: each process applies what it reads to its {@link
 * BreakerPanel} through the verticle {@link #syncTo} makes.
 */
public final class BreakerOverrides {

  /** The PostgreSQL channel every process LISTENs on; the payload is the changed breaker's id. */
  public static final String CHANNEL = "breaker_overrides";

  private static final TableSync.Names NAMES =
      new TableSync.Names(
          "breaker overrides",
          CHANNEL,
          BreakerAddresses.RELOAD,
          BreakerAddresses.OVERRIDES_APPLIED);

  static final String LOAD =
      "SELECT dependency, tenant, mode, operator, reason, since FROM breaker_overrides";

  static final String FORCE =
      """
      INSERT INTO breaker_overrides (dependency, tenant, mode, operator, reason)
      VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (dependency, tenant) DO UPDATE
         SET mode = excluded.mode, operator = excluded.operator, reason = excluded.reason,
             since = now()
      RETURNING dependency, tenant, mode, operator, reason, since\
      """;

  static final String RELEASE =
      "DELETE FROM breaker_overrides WHERE dependency = $1 AND tenant = $2";

  private final Pool pool;
  private final AuditedTable table;

  public BreakerOverrides(Pool pool) {
    this.pool = pool;
    this.table = new AuditedTable(pool, NAMES);
  }

  /**
   * The verticle that keeps {@code panel} under the stored overrides: reads them at start (its
   * start completes once they hold), on every {@code NOTIFY} it receives by {@code LISTEN} on a
   * connection made with {@code listenTo}, on {@link BreakerAddresses#RELOAD}, and every {@code
   * reread}. Deploy one per service process.
   */
  public Deployable syncTo(BreakerPanel panel, PgConnectOptions listenTo, Duration reread) {
    return table.syncTo(new OverrideSync(this, panel), listenTo, reread);
  }

  /** Every stored override. */
  public Future<Map<BreakerId, BreakerOverride>> load() {
    return pool.query(LOAD)
        .execute()
        .map(
            rows -> {
              Map<BreakerId, BreakerOverride> overrides = new HashMap<>();
              rows.forEach(row -> overrides.put(id(row), override(row)));
              return overrides;
            });
  }

  /**
   * Holds {@code id} in {@code mode} for {@code operator} (replacing any override it had), audited
   * as {@code breaker.<mode>}; completes with the stored override, its {@code since} set by the
   * database.
   */
  public Future<BreakerOverride> force(
      BreakerId id, BreakerOverride.Mode mode, String operator, String reason) {
    String why = reason == null ? "" : reason;
    return table.change(
        payload(id),
        tx ->
            tx.preparedQuery(FORCE)
                .execute(Tuple.of(id.dependency(), id.tenant(), mode.wire(), operator, why))
                .map(rows -> override(rows.iterator().next())),
        stored -> entry(id, "breaker." + mode.wire(), operator, why, 1));
  }

  /**
   * Puts {@code id} back to automatic, audited as {@code breaker.release}; completes with whether
   * it had an override.
   */
  public Future<Boolean> release(BreakerId id, String operator, String reason) {
    return table
        .change(
            payload(id),
            tx ->
                tx.preparedQuery(RELEASE)
                    .execute(Tuple.of(id.dependency(), id.tenant()))
                    .map(rows -> rows.rowCount()),
            removed -> entry(id, "breaker.release", operator, reason, removed))
        .map(removed -> removed > 0);
  }

  /** The audit row of {@code action} on {@code id} (no reason is an empty one). */
  private static AdminAudit.Entry entry(
      BreakerId id, String action, String operator, String reason, long rows) {
    JsonObject request =
        new JsonObject()
            .put("dependency", id.dependency())
            .put("tenant", id.tenant())
            .put("reason", reason == null ? "" : reason);
    return new AdminAudit.Entry(operator, action, request, rows, false);
  }

  /** What {@code NOTIFY} carries: the changed breaker's id. */
  private static String payload(BreakerId id) {
    return id.dependency() + "/" + id.tenant();
  }

  private static BreakerId id(Row row) {
    return new BreakerId(row.getString("dependency"), row.getString("tenant"));
  }

  private static BreakerOverride override(Row row) {
    return new BreakerOverride(
        BreakerOverride.Mode.fromWire(row.getString("mode")),
        row.getString("operator"),
        row.getString("reason"),
        row.getOffsetDateTime("since").toInstant());
  }
}
