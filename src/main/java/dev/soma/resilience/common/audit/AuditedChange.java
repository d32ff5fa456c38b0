package dev.soma.resilience.common.audit;

import dev.soma.resilience.common.db.TableSync;
import dev.soma.resilience.common.db.Transaction;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.function.Function;

/**
 * An operator's change of a table every process keeps a copy of ({@link TableSync}): on one
 * transaction, the change, its {@link AdminAudit} row, then the {@code NOTIFY} on the table's
 * channel that wakes every process's sync, so the change, its audit and the other processes'
 * wake-up exist together or not at all.
 */
public final class AuditedChange {

  static final String NOTIFY = "SELECT pg_notify($1, $2)";

  private final Pool pool;
  private final String channel;

  /** Changes made on {@code pool} to the table whose writers notify {@code channel}. */
  public AuditedChange(Pool pool, String channel) {
    this.pool = pool;
    this.channel = channel;
  }

  /**
   * Makes {@code change} on a transaction, writes the audit row {@code audit} makes of its result,
   * and notifies the channel with {@code payload} (the changed row's id); completes with the
   * change's result once committed, fails (nothing written) when any step does.
   */
  public <C> Future<C> run(
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
                                v -> tx.preparedQuery(NOTIFY).execute(Tuple.of(channel, payload)))
                            .map(changed)));
  }
}
