package dev.soma.resilience.common.audit;

import dev.soma.resilience.common.db.TableSync;
import dev.soma.resilience.common.db.Transaction;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.function.Function;

/**
 * A small table every process keeps a copy of ({@link TableSync}) and operators change (breaker
 * overrides, feature flags). {@link #change} makes a change, its {@link AdminAudit} row and the
 * {@code NOTIFY} on the table's channel that wakes every process's sync in one transaction, so the
 * change, its audit and the other processes' wake-up exist together or not at all; {@link #syncTo}
 * makes the verticle that keeps one process's copy, listening on that same channel.
 */
public final class AuditedTable {

  static final String NOTIFY = "SELECT pg_notify($1, $2)";

  private final Pool pool;
  private final TableSync.Names names;

  /**
   * The table changed on {@code pool}, whose writers notify and whose syncs listen at {@code
   * names}.
   */
  public AuditedTable(Pool pool, TableSync.Names names) {
    this.pool = pool;
    this.names = names;
  }

  /**
   * Makes {@code change} on a transaction, writes the audit row {@code audit} makes of its result,
   * and notifies the table's channel with {@code payload} (the changed row's id); completes with
   * the change's result once committed, fails (nothing written) when any step does.
   */
  public <C> Future<C> change(
      String payload,
      Function<Transaction, Future<C>> change,
      Function<C, AdminAudit.Entry> audit) {
    return Transaction.run(
        pool,
        tx ->
            change
                .apply(tx)
                .compose(
                    changed ->
                        AdminAudit.record(tx, audit.apply(changed))
                            .compose(
                                v ->
                                    tx.preparedQuery(NOTIFY)
                                        .execute(Tuple.of(names.channel(), payload)))
                            .map(changed)));
  }

  /**
   * The verticle that keeps {@code target} under the stored table: a {@link TableSync} at the
   * table's names, {@code LISTEN}ing on a connection made with {@code listenTo} and re-reading
   * every {@code reread}. Deploy one per process.
   */
  public <T> Deployable syncTo(
      TableSync.Target<T> target, PgConnectOptions listenTo, Duration reread) {
    return new TableSync<>(names, target, listenTo, reread);
  }
}
