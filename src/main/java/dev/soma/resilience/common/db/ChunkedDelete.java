package dev.soma.resilience.common.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

/**
 * Clears what a {@code DELETE} selects a chunk at a time: the statement (which removes at most
 * {@code chunk} rows, by a {@code LIMIT} in its subquery) runs again and again, each time in a
 * transaction of its own, until one removes fewer than {@code chunk} rows. Each statement's locks
 * and write are small, so a large backlog never holds a table for long. Completes with the rows
 * removed in all, or fails with the first statement that failed (the chunks before it stay
 * removed). A delete that must exclude some other writer first runs a lock statement ({@code
 * lockFirst}, e.g. a transaction-level advisory lock) in each chunk's transaction, before the
 * delete takes its snapshot.
 */
public final class ChunkedDelete {

  private ChunkedDelete() {}

  /** Runs {@code sql} with {@code arguments} until a run removes fewer than {@code chunk} rows. */
  public static Future<Long> all(Pool pool, String sql, Tuple arguments, int chunk) {
    return from(pool, null, sql, arguments, chunk, 0);
  }

  /** {@link #all}, each chunk's transaction running {@code lockFirst} before the delete. */
  public static Future<Long> all(
      Pool pool, String lockFirst, String sql, Tuple arguments, int chunk) {
    return from(pool, lockFirst, sql, arguments, chunk, 0);
  }

  private static Future<Long> from(
      Pool pool, String lockFirst, String sql, Tuple arguments, int chunk, long sofar) {
    Future<RowSet<Row>> deleted =
        lockFirst == null
            ? pool.preparedQuery(sql).execute(arguments)
            : Transaction.run(
                pool,
                tx ->
                    tx.query(lockFirst)
                        .execute()
                        .compose(locked -> tx.preparedQuery(sql).execute(arguments)));
    return deleted.compose(
        rows -> {
          long total = sofar + rows.rowCount();
          return rows.rowCount() == chunk
              ? from(pool, lockFirst, sql, arguments, chunk, total)
              : Future.succeededFuture(total);
        });
  }
}
