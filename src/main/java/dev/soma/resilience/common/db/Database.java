package dev.soma.resilience.common.db;

import dev.soma.resilience.config.ConfigException;
import dev.soma.resilience.config.DatabaseUrl;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL access for the whole service: connection options, the shared pool, and the schema
 * migrations in {@code sql/} (applied by Flyway over JDBC on a worker thread, never on an event
 * loop).
 */
public final class Database {

  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  static final String MIGRATIONS_APPLIED =
      "SELECT count(*) FROM flyway_schema_history WHERE success AND version IS NOT NULL";

  /** How long PostgreSQL lets one of our sessions sit idle inside a transaction. */
  static final String IDLE_IN_TRANSACTION_TIMEOUT = "10s";

  /** The pool's wait for a connection where none is given: Vert.x's default. */
  static final Duration DEFAULT_CONNECTION_WAIT =
      Duration.ofSeconds(PoolOptions.DEFAULT_CONNECTION_TIMEOUT);

  private final DatabaseUrl url;
  private volatile int expectedMigrations = -1;

  public Database(DatabaseUrl url) {
    this.url = url;
  }

  public DatabaseUrl url() {
    return url;
  }

  public PgConnectOptions connectOptions() {
    PgConnectOptions options =
        new PgConnectOptions()
            .setHost(url.host())
            .setPort(url.port())
            .setDatabase(url.database())
            .setUser(url.user())
            .setPassword(url.password())
            .setCachePreparedStatements(true)
            // the client caches statements shorter than 2,048 characters by default; the outbox
            // claim is longer, and uncached it was parsed and planned again on every claim
            .setPreparedStatementCacheSqlLimit(16_384)
            .setPipeliningLimit(256);
    // A process stopped or cut off inside a transaction (a claim's pipelined BEGIN...COMMIT, a
    // settlement) would otherwise keep its locks until the process comes back: every relay's
    // claims on that tenant bucket would wait behind it. No transaction of ours waits on anything
    // but PostgreSQL between its statements.
    options.addProperty("idle_in_transaction_session_timeout", IDLE_IN_TRANSACTION_TIMEOUT);
    return PgTls.applied(options, url.tls());
  }

  /**
   * The shared pool; create it once (in {@code Main}) so verticles outlive each other's pools. A
   * wait for a connection lasts at most {@link #DEFAULT_CONNECTION_WAIT}.
   */
  public Pool pool(Vertx vertx, int size) {
    return pool(vertx, size, DEFAULT_CONNECTION_WAIT);
  }

  /**
   * As above; a statement, or a wait for a connection, that gets no connection within {@code
   * connectionWait} fails ({@link DatabaseErrors#isUnreachable} says so): every connection is stuck
   * on a database that does not answer, or none can be opened.
   */
  public Pool pool(Vertx vertx, int size, Duration connectionWait) {
    return PgBuilder.pool()
        .with(
            new PoolOptions()
                .setMaxSize(size)
                .setName("soma-pg")
                .setShared(false)
                .setConnectionTimeout((int) connectionWait.toMillis())
                .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
        .connectingTo(connectOptions())
        .using(vertx)
        .build();
  }

  /**
   * Applies pending migrations on a thread of their own; completes, on the calling context, with
   * how many were applied. A server that cannot be reached yet is retried for a while (it may be
   * starting); one that answers but refuses this URL for good fails at once with a {@link
   * ConfigException}.
   *
   * <p>Not a Vert.x worker: the retries may outlast a Vert.x closed meanwhile (a stop signal while
   * the service starts), and a worker's result handed to a closed Vert.x was an uncaught {@code
   * RejectedExecutionException} with its stack trace; here it is dropped with a DEBUG line. The
   * thread is a daemon: migrations still retrying do not keep a stopping process alive.
   */
  public Future<Integer> migrate(Vertx vertx) {
    Context context = vertx.getOrCreateContext();
    Promise<Integer> done = Promise.promise();
    Thread migrations =
        new Thread(
            () -> {
              Future<Integer> outcome;
              try {
                outcome = Future.succeededFuture(migrateNow());
              } catch (Throwable e) { // whatever it throws fails the start, never hangs it
                outcome = Future.failedFuture(e);
              }
              Future<Integer> result = outcome;
              try {
                context.runOnContext(v -> result.onComplete(done));
              } catch (RejectedExecutionException closed) {
                LOG.debug("migrations ended after Vert.x closed: {}", result);
              }
            },
            "soma-migrations");
    migrations.setDaemon(true);
    migrations.start();
    return done.future();
  }

  private int migrateNow() {
    UrlRefusal.check(url);
    Flyway flyway =
        Flyway.configure()
            .dataSource(url.jdbcUrl(), url.user(), url.password())
            .locations("classpath:db/migration")
            // a server still starting: tries 1, 2, 4, 8 s apart, then every 10 s, for about 105 s
            // in all, so the connection error ends start-up before its 2-minute limit does (with
            // a bare timeout)
            .connectRetries(13)
            .connectRetriesInterval(10)
            .load();
    MigrateResult result = flyway.migrate();
    MigrationInfoService info = flyway.info(); // reads the schema history table: once
    expectedMigrations = info.applied().length;
    LOG.info(
        "database schema at version {} ({} migration(s) applied now) on {}",
        info.current() == null ? "none" : info.current().getVersion(),
        result.migrationsExecuted,
        url);
    return result.migrationsExecuted;
  }

  /**
   * Readiness: PostgreSQL answers and every migration this build knows is applied. Fails with a
   * message saying which.
   */
  public Future<Void> checkReady(Pool pool) {
    return pool.query(MIGRATIONS_APPLIED)
        .execute()
        .compose(
            rows -> {
              long applied = rows.iterator().next().getLong(0);
              if (expectedMigrations < 0 || applied < expectedMigrations) {
                return Future.failedFuture(
                    "schema migrations not applied ("
                        + applied
                        + " of "
                        + expectedMigrations
                        + ")");
              }
              return Future.succeededFuture();
            });
  }
}
