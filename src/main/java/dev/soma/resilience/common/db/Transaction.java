package dev.soma.resilience.common.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PrepareOptions;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Query;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open PostgreSQL transaction, owned by whoever called {@link #run}; everything else that
 * writes in it (a repository, the outbox) is a participant. Queries on it run inside the
 * transaction; {@link #afterCommit} lets a participant act once the transaction committed (the
 * outbox wakes its relay that way), and never when it rolled back.
 *
 * <p>As a {@link SqlClient} it cannot be closed: the transaction ends when the work's future does.
 * Confined to the context {@link #run} was called on, like the connection under it.
 */
public final class Transaction implements SqlClient {

  private static final Logger LOG = LoggerFactory.getLogger(Transaction.class);

  private final SqlConnection connection;
  private final Set<Runnable> afterCommit = new LinkedHashSet<>();

  private Transaction(SqlConnection connection) {
    this.connection = connection;
  }

  /**
   * Runs {@code work} in one transaction on a connection of {@code pool}: commits when its future
   * succeeds, rolls back when it fails (or when {@code work} throws). After a successful commit,
   * and before the returned future completes, runs the hooks registered through {@link
   * #afterCommit}, in the order registered; a hook that throws is logged and does not fail the
   * committed result. The returned future fails when the work or the commit failed, and then no
   * hook runs.
   */
  public static <T> Future<T> run(Pool pool, Function<Transaction, Future<T>> work) {
    Set<Runnable> hooks = new LinkedHashSet<>();
    return pool.<T>withTransaction(
            connection -> {
              Transaction tx = new Transaction(connection);
              return work.apply(tx).onSuccess(result -> hooks.addAll(tx.afterCommit));
            })
        .map(
            result -> {
              hooks.forEach(Transaction::runQuietly);
              return result;
            });
  }

  /**
   * Runs {@code hook} once this transaction has committed; not at all if it rolls back. The same
   * hook instance registered twice runs once.
   */
  public void afterCommit(Runnable hook) {
    afterCommit.add(hook);
  }

  /** The connection the transaction is open on, for APIs that need one. */
  public SqlConnection connection() {
    return connection;
  }

  @Override
  public Query<RowSet<Row>> query(String sql) {
    return connection.query(sql);
  }

  @Override
  public PreparedQuery<RowSet<Row>> preparedQuery(String sql) {
    return connection.preparedQuery(sql);
  }

  @Override
  public PreparedQuery<RowSet<Row>> preparedQuery(String sql, PrepareOptions options) {
    return connection.preparedQuery(sql, options);
  }

  /** Refused: the transaction ends when the work passed to {@link #run} completes. */
  @Override
  public Future<Void> close() {
    return Future.failedFuture(
        new IllegalStateException("a transaction ends when its work completes, not by close()"));
  }

  private static void runQuietly(Runnable hook) {
    try {
      hook.run();
    } catch (RuntimeException e) {
      LOG.error("an after-commit hook failed; the transaction stays committed", e);
    }
  }
}
