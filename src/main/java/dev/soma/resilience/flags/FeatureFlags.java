package dev.soma.resilience.flags;

import dev.soma.resilience.common.audit.AdminAudit;
import dev.soma.resilience.common.audit.AuditedTable;
import dev.soma.resilience.common.db.TableSync;
import dev.soma.resilience.flags.internal.FlagSync;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flags' rules as stored ({@code feature_flags}, sql/V10): kept across restarts, shared by
 * every process. {@link #set} and {@link #clear} change one flag's row, write its {@code
 * admin_audit} row ({@code flag.set}, {@code flag.clear}) and {@code NOTIFY} {@value #CHANNEL} in
 * one transaction, so the change, its audit and the other processes' wake-up exist together or not
 * at all; {@link #load} reads them all. Storing changes no behaviour: each process applies what it
 * reads to its {@link FlagBook} through the verticle {@link #syncTo} makes. A row whose name the
 * code no longer knows is ignored (and logged), so an older release can read a newer one's table.
 */
public final class FeatureFlags {

  private static final Logger LOG = LoggerFactory.getLogger(FeatureFlags.class);

  /** The PostgreSQL channel every process LISTENs on; the payload is the changed flag's name. */
  public static final String CHANNEL = "feature_flags";

  private static final TableSync.Names NAMES =
      new TableSync.Names("feature flags", CHANNEL, FlagAddresses.RELOAD, FlagAddresses.APPLIED);

  static final String LOAD =
      """
      SELECT name, allow_tenants, deny_tenants, percentage, operator, reason, updated_at
        FROM feature_flags\
      """;

  static final String SET =
      """
      INSERT INTO feature_flags (name, allow_tenants, deny_tenants, percentage, operator, reason)
      VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (name) DO UPDATE
         SET allow_tenants = excluded.allow_tenants, deny_tenants = excluded.deny_tenants,
             percentage = excluded.percentage, operator = excluded.operator,
             reason = excluded.reason, updated_at = now()
      RETURNING name, allow_tenants, deny_tenants, percentage, operator, reason, updated_at\
      """;

  static final String CLEAR = "DELETE FROM feature_flags WHERE name = $1";

  private final Pool pool;
  private final AuditedTable table;

  public FeatureFlags(Pool pool) {
    this.pool = pool;
    this.table = new AuditedTable(pool, NAMES);
  }

  /**
   * The verticle that keeps {@code book} under the stored rules: reads them at start (its start
   * completes once they hold), on every {@code NOTIFY} it receives by {@code LISTEN} on a
   * connection made with {@code listenTo}, on {@link FlagAddresses#RELOAD}, and every {@code
   * reread} (a {@link TableSync}). Deploy one per process.
   */
  public Deployable syncTo(FlagBook book, PgConnectOptions listenTo, Duration reread) {
    return table.syncTo(new FlagSync(this, book), listenTo, reread);
  }

  /** Every stored rule of a known flag. */
  public Future<Map<FeatureFlag, FlagRule>> load() {
    return pool.query(LOAD)
        .execute()
        .map(
            rows -> {
              Map<FeatureFlag, FlagRule> rules = new EnumMap<>(FeatureFlag.class);
              rows.forEach(
                  row ->
                      FeatureFlag.named(row.getString("name"))
                          .ifPresentOrElse(
                              flag -> rules.put(flag, rule(row)),
                              () ->
                                  LOG.warn(
                                      "feature_flags has a rule for '{}', which this release does"
                                          + " not know: ignored",
                                      row.getString("name"))));
              return rules;
            });
  }

  /**
   * Stores {@code rule} (its {@code updated} is ignored) as {@code flag}'s, replacing any it had,
   * audited as {@code flag.set}; completes with the stored rule, its time set by the database.
   */
  public Future<FlagRule> set(FeatureFlag flag, FlagRule rule) {
    return table.change(
        flag.wire(),
        tx ->
            tx.preparedQuery(SET)
                .execute(
                    Tuple.of(
                        flag.wire(),
                        rule.allow().toArray(String[]::new),
                        rule.deny().toArray(String[]::new),
                        (short) rule.percentage(),
                        rule.operator(),
                        rule.reason()))
                .map(rows -> rule(rows.iterator().next())),
        stored ->
            new AdminAudit.Entry(rule.operator(), "flag.set", requestOf(flag, rule), 1, false));
  }

  /**
   * Puts {@code flag} back to its default for every tenant, audited as {@code flag.clear};
   * completes with whether it had a rule.
   */
  public Future<Boolean> clear(FeatureFlag flag, String operator, String reason) {
    JsonObject request =
        new JsonObject().put("name", flag.wire()).put("reason", reason == null ? "" : reason);
    return table
        .change(
            flag.wire(),
            tx ->
                tx.preparedQuery(CLEAR).execute(Tuple.of(flag.wire())).map(rows -> rows.rowCount()),
            removed -> new AdminAudit.Entry(operator, "flag.clear", request, removed, false))
        .map(removed -> removed > 0);
  }

  private static JsonObject requestOf(FeatureFlag flag, FlagRule rule) {
    JsonObject request = rule.toJson().put("name", flag.wire());
    request.remove("updated");
    request.remove("operator");
    return request;
  }

  private static FlagRule rule(Row row) {
    return new FlagRule(
        new TreeSet<>(Arrays.asList(row.getArrayOfStrings("allow_tenants"))),
        new TreeSet<>(Arrays.asList(row.getArrayOfStrings("deny_tenants"))),
        row.getShort("percentage"),
        row.getString("operator"),
        row.getString("reason"),
        row.getOffsetDateTime("updated_at").toInstant());
  }
}
