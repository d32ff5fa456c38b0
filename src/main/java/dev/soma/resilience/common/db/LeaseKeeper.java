package dev.soma.resilience.common.db;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ties this process's leases to its PostgreSQL session, so that they end when the process does. One
 * per process, built by the composition root (or a command, or a test standing for a process) and
 * passed to everything that leases rows: the outbox relay, the memory sync, the {@code
 * Idempotency-Key} records.
 *
 * <p>On a connection of its own (not from the pool, never used for anything else) it takes a key
 * from the sequence {@code lease_holders}, its <em>holder</em> number, and holds the session-level
 * advisory lock {@code (LEASE_LOCK_CLASS, holder)} for the life of the process. Leases are written
 * with that number, and SQL tests them with {@code lease_live(expires_at, holder)} (migration V7):
 * a lease whose holder's lock nobody holds is over, whatever its time. PostgreSQL releases the lock
 * the moment the session ends: at once when the process is killed (its socket closes), and for a
 * host that vanished once TCP keepalive gives up: the session asks the server for probes after
 * {@value #KEEPALIVE_IDLE_SECONDS} s idle, every {@value #KEEPALIVE_INTERVAL_SECONDS} s, {@value
 * #KEEPALIVE_COUNT} of them, so the server drops it within {@value #DEAD_HOST_BOUND_SECONDS} s.
 * This side pings every {@link #PING_EVERY} and gives the connection up when a ping is not answered
 * within {@link #PING_TIMEOUT}.
 *
 * <p>When the connection drops, {@link #holding()} turns false at once, and the keeper reconnects
 * (backing off up to {@link #RECONNECT_MAX}) and takes the <em>same</em> key again, so the leases
 * this process took meanwhile are live again unless another process took them over in between.
 * While it does not hold its lock, callers must not take new leases: a lease written with a key no
 * session holds is over as soon as it is written.
 *
 * <p>Thread-safe: {@link #holding()} and {@link #holder()} may be read from any thread; the
 * connection is handled on one Vert.x context.
 */
public final class LeaseKeeper {

  private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);

  /**
   * The advisory lock class of holder keys. Must match the constant in {@code lease_live} (sql/V7)
   * and differ from every other two-int advisory lock class (the outbox claim's).
   */
  public static final int LEASE_LOCK_CLASS = 0x4c45_4153;

  static final int KEEPALIVE_IDLE_SECONDS = 5;
  static final int KEEPALIVE_INTERVAL_SECONDS = 2;
  static final int KEEPALIVE_COUNT = 3;
  static final int DEAD_HOST_BOUND_SECONDS =
      KEEPALIVE_IDLE_SECONDS + KEEPALIVE_INTERVAL_SECONDS * KEEPALIVE_COUNT;

  static final Duration PING_EVERY = Duration.ofSeconds(2);
  static final Duration PING_TIMEOUT = Duration.ofSeconds(5);
  static final Duration RECONNECT_MAX = Duration.ofSeconds(5);

  static final String NEXT_HOLDER = "SELECT nextval('lease_holders')::int";
  static final String TAKE = "SELECT pg_try_advisory_lock($1, $2)";
  static final String PING = "SELECT 1";

  private final Vertx vertx;
  private final Context context;
  private final PgConnectOptions options;
  private final Promise<LeaseKeeper> first = Promise.promise();

  private volatile PgConnection connection;
  private volatile boolean holding;
  private volatile int holder;
  private volatile boolean closed;
  private long pingTimer = -1;
  private long reconnectTimer = -1;
  private int failures;

  private LeaseKeeper(Vertx vertx, PgConnectOptions options) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.options = keeperOptions(options);
  }

  /**
   * Connects with {@code options} (the database's; the keeper adds its keepalive settings to a
   * copy) and completes once it holds a key; until then it keeps trying, so a database still
   * starting delays this rather than failing it. Callable from any thread.
   */
  public static Future<LeaseKeeper> start(Vertx vertx, PgConnectOptions options) {
    LeaseKeeper keeper = new LeaseKeeper(vertx, options);
    keeper.context.runOnContext(v -> keeper.connect());
    return keeper.first.future();
  }

  /** Whether this process's lock is held now: new leases may be taken only while it is. */
  public boolean holding() {
    return holding;
  }

  /**
   * This process's holder number, the same for its whole life ({@code 0} before {@link #start}).
   */
  public int holder() {
    return holder;
  }

  /** The holder number to write with a lease now, or null (lease time only) while not holding. */
  public Integer heldKey() {
    return holding ? holder : null;
  }

  /** The backend pid of the keeper's session, for operators and tests (0 while disconnected). */
  public int sessionPid() {
    PgConnection current = connection;
    return current == null ? 0 : current.processId();
  }

  /**
   * Gives the lock up by closing the connection: this process's leases end now. Idempotent; the
   * keeper does not reconnect after it.
   */
  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(
        v -> {
          closed = true;
          holding = false;
          vertx.cancelTimer(pingTimer);
          vertx.cancelTimer(reconnectTimer);
          first.tryFail("lease keeper closed before it held a key");
          PgConnection current = connection;
          connection = null;
          (current == null ? Future.<Void>succeededFuture() : current.close()).onComplete(done);
        });
    return done.future();
  }

  private static PgConnectOptions keeperOptions(PgConnectOptions database) {
    PgConnectOptions options = new PgConnectOptions(database);
    Map<String, String> properties = new HashMap<>(database.getProperties());
    properties.put("application_name", "soma-lease-keeper");
    // server side: a session whose host vanished is dropped, and its lock released, within
    // DEAD_HOST_BOUND_SECONDS (ignored on a Unix socket, where there is no host to lose)
    properties.put("tcp_keepalives_idle", Integer.toString(KEEPALIVE_IDLE_SECONDS));
    properties.put("tcp_keepalives_interval", Integer.toString(KEEPALIVE_INTERVAL_SECONDS));
    properties.put("tcp_keepalives_count", Integer.toString(KEEPALIVE_COUNT));
    return options.setProperties(properties).setReconnectAttempts(0);
  }

  /** Runs on the keeper's context. */
  private void connect() {
    if (closed) {
      return;
    }
    PgConnection.connect(vertx, options)
        .onFailure(e -> retryLater(e.toString()))
        .onSuccess(
            conn -> {
              if (closed) {
                conn.close();
                return;
              }
              connection = conn;
              conn.closeHandler(v -> lost(conn, "connection closed"));
              conn.exceptionHandler(e -> LOG.debug("lease keeper connection: {}", e.toString()));
              (holder == 0 ? nextKey(conn) : retake(conn, holder))
                  .onComplete(
                      key -> {
                        if (conn != connection) {
                          return; // lost meanwhile, or closed: that path goes on from here
                        }
                        if (key.failed()) {
                          connection = null;
                          conn.close();
                          retryLater(key.cause().toString());
                          return;
                        }
                        held(conn, key.result());
                      });
            });
  }

  private void held(PgConnection conn, int key) {
    holder = key;
    holding = true;
    failures = 0;
    LOG.info("lease keeper holds key {} (session {})", key, conn.processId());
    schedulePing(conn);
    first.tryComplete(this);
  }

  /** A fresh key; one still held (the sequence came round) is skipped. */
  private Future<Integer> nextKey(PgConnection conn) {
    return conn.query(NEXT_HOLDER)
        .execute()
        .map(rows -> rows.iterator().next().getInteger(0))
        .compose(
            key ->
                tryLock(conn, key)
                    .compose(taken -> taken ? Future.succeededFuture(key) : nextKey(conn)));
  }

  /** Takes {@code key} again; fails while another session (our old one) still holds it. */
  private static Future<Integer> retake(PgConnection conn, int key) {
    return tryLock(conn, key)
        .compose(
            taken ->
                taken
                    ? Future.succeededFuture(key)
                    : Future.failedFuture("key " + key + " is still held by the old session"));
  }

  private static Future<Boolean> tryLock(PgConnection conn, int key) {
    return conn.preparedQuery(TAKE)
        .execute(Tuple.of(LEASE_LOCK_CLASS, key))
        .map(rows -> rows.iterator().next().getBoolean(0));
  }

  private void schedulePing(PgConnection conn) {
    pingTimer =
        vertx.setTimer(
            PING_EVERY.toMillis(),
            id -> {
              if (conn != connection || closed) {
                return;
              }
              long timeout =
                  vertx.setTimer(PING_TIMEOUT.toMillis(), t -> lost(conn, "ping unanswered"));
              conn.query(PING)
                  .execute()
                  .onComplete(
                      ar -> {
                        vertx.cancelTimer(timeout);
                        if (ar.failed()) {
                          lost(conn, "ping failed: " + ar.cause());
                        } else {
                          schedulePing(conn);
                        }
                      });
            });
  }

  /** {@code conn} is gone (or given up): stop claiming now, and get the key back. */
  private void lost(PgConnection conn, String why) {
    if (conn != connection || closed) {
      return;
    }
    holding = false;
    connection = null;
    vertx.cancelTimer(pingTimer);
    conn.close();
    LOG.warn(
        "lease keeper lost its session ({}); leases wait until key {} is held again", why, holder);
    retryLater(why);
  }

  private void retryLater(String why) {
    if (closed) {
      return;
    }
    failures++;
    long delay = Math.min(RECONNECT_MAX.toMillis(), 100L << Math.min(failures, 6));
    LOG.debug("lease keeper retrying in {} ms: {}", delay, why);
    vertx.cancelTimer(reconnectTimer);
    reconnectTimer = vertx.setTimer(delay, id -> connect());
  }
}
