package dev.soma.resilience.common.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The caller's transaction and its after-commit hooks, against a real PostgreSQL. */
@ExtendWith(TestServices.class)
class TransactionIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Vertx vertx = Vertx.vertx();
  private Pool pool;
  private final List<String> ran = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    pool = new Database(TestServices.freshDatabase()).pool(vertx, 4);
    Blocking.await(
        pool.query(
                "CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL);"
                    + " CREATE TABLE once (k int,"
                    + " CONSTRAINT once_k UNIQUE (k) DEFERRABLE INITIALLY DEFERRED)")
            .execute(),
        TIMEOUT);
  }

  @AfterEach
  void tearDown() throws Exception {
    Blocking.await(vertx.close(), TIMEOUT);
  }

  @Test
  void afterCommitHooksRunOnceTheRowsAreVisibleToOtherConnections() throws Exception {
    AtomicReference<Future<Long>> seenByAnother = new AtomicReference<>();

    String result =
        Blocking.await(
            Transaction.run(
                pool,
                tx -> {
                  tx.afterCommit(() -> seenByAnother.set(count("notes")));
                  return tx.query("INSERT INTO notes VALUES (1, 'a')").execute().map("done");
                }),
            TIMEOUT);

    assertThat(result).isEqualTo("done");
    assertThat(Blocking.await(seenByAnother.get(), TIMEOUT)).isEqualTo(1);
  }

  @Test
  void postgresqlEndsOurSessionsWhenTheyStallInsideATransaction() throws Exception {
    // a process frozen between BEGIN and COMMIT must not hold its locks until it wakes up
    String timeout =
        Blocking.await(
            pool.query("SHOW idle_in_transaction_session_timeout")
                .execute()
                .map(rows -> rows.iterator().next().getString(0)),
            TIMEOUT);

    assertThat(timeout).isEqualTo(Database.IDLE_IN_TRANSACTION_TIMEOUT);
  }

  @Test
  void workThatFailsRollsBackAndRunsNoHook() throws Exception {
    Future<Object> failed =
        Transaction.run(
            pool,
            tx -> {
              tx.afterCommit(() -> ran.add("hook"));
              return tx.query("INSERT INTO notes VALUES (1, 'a')")
                  .execute()
                  .compose(v -> tx.query("INSERT INTO notes VALUES (2, NULL)").execute())
                  .mapEmpty();
            });

    assertThatThrownBy(() -> Blocking.await(failed, TIMEOUT)).hasMessageContaining("null value");
    assertThat(Blocking.await(count("notes"), TIMEOUT)).isZero();
    assertThat(ran).isEmpty();
  }

  @Test
  void aCommitThatFailsRunsNoHook() throws Exception {
    Future<Object> failed =
        Transaction.run(
            pool,
            tx -> {
              tx.afterCommit(() -> ran.add("hook"));
              // the deferred constraint is checked at COMMIT: the work itself succeeds
              return tx.query("INSERT INTO once VALUES (1); INSERT INTO once VALUES (1)")
                  .execute()
                  .mapEmpty();
            });

    assertThatThrownBy(() -> Blocking.await(failed, TIMEOUT)).hasMessageContaining("once_k");
    assertThat(ran).isEmpty();
  }

  @Test
  void hooksRunInTheOrderRegisteredAndTheSameHookOnlyOnce() throws Exception {
    Runnable a = () -> ran.add("a");
    Runnable b = () -> ran.add("b");

    Blocking.await(
        Transaction.run(
            pool,
            tx -> {
              tx.afterCommit(a);
              tx.afterCommit(b);
              tx.afterCommit(a);
              return Future.succeededFuture();
            }),
        TIMEOUT);

    assertThat(ran).containsExactly("a", "b");
  }

  @Test
  void aFailingHookNeitherFailsTheCommittedResultNorStopsTheOthers() throws Exception {
    Integer result =
        Blocking.await(
            Transaction.run(
                pool,
                tx -> {
                  tx.afterCommit(
                      () -> {
                        throw new IllegalStateException("hook broke");
                      });
                  tx.afterCommit(() -> ran.add("second"));
                  return tx.query("INSERT INTO notes VALUES (1, 'a')").execute().map(1);
                }),
            TIMEOUT);

    assertThat(result).isEqualTo(1);
    assertThat(ran).containsExactly("second");
    assertThat(Blocking.await(count("notes"), TIMEOUT)).isEqualTo(1);
  }

  @Test
  void aParticipantCannotCloseTheTransaction() throws Exception {
    Blocking.await(
        Transaction.run(
            pool,
            tx ->
                tx.close()
                    .recover(e -> Future.succeededFuture())
                    .compose(v -> tx.query("INSERT INTO notes VALUES (1, 'a')").execute())),
        TIMEOUT);

    assertThat(Blocking.await(count("notes"), TIMEOUT)).isEqualTo(1);
  }

  private Future<Long> count(String table) {
    return pool.query("SELECT count(*) FROM " + table)
        .execute()
        .map(rows -> rows.iterator().next().getLong(0));
  }

  @Test
  void aPoolThatGetsNoConnectionInTimeFailsAsAnUnreachableDatabase() throws Exception {
    Pool one = new Database(TestServices.freshDatabase()).pool(vertx, 1, Duration.ofMillis(300));
    SqlConnection held = Blocking.await(one.getConnection(), TIMEOUT);
    try {
      Future<?> statement = one.query("SELECT 1").execute();
      Future<?> connection = one.getConnection();

      assertThatThrownBy(() -> Blocking.await(statement, TIMEOUT))
          .satisfies(e -> assertThat(DatabaseErrors.isUnreachable(e)).as(e.toString()).isTrue());
      assertThatThrownBy(() -> Blocking.await(connection, TIMEOUT))
          .satisfies(e -> assertThat(DatabaseErrors.isUnreachable(e)).as(e.toString()).isTrue());
    } finally {
      held.close();
    }
  }
}
