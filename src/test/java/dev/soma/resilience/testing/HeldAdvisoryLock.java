package dev.soma.resilience.testing;

import static org.awaitility.Awaitility.await;

import dev.soma.resilience.common.Blocking;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;

/**
 * An advisory lock held by a session of its own, as another process's claim holds it, so that a
 * test can make a claim wait on it for as long as it needs, by the database's clock, without
 * sleeping. Blocking; for the test thread.
 */
public final class HeldAdvisoryLock {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private final SqlConnection session;

  private HeldAdvisoryLock(SqlConnection session) {
    this.session = session;
  }

  /** Takes the session-level lock {@code lockCall} (such as {@code pg_advisory_lock($1, 0)}). */
  public static HeldAdvisoryLock take(Pool pool, String lockCall, Object... params)
      throws Exception {
    SqlConnection session = Blocking.await(pool.getConnection(), TIMEOUT);
    Blocking.await(
        session.preparedQuery("SELECT " + lockCall).execute(Tuple.from(params)), TIMEOUT);
    return new HeldAdvisoryLock(session);
  }

  /**
   * Waits until another session's transaction has waited on an advisory lock for longer than {@code
   * wait} (counted from its transaction's start, the time {@code now()} gives it), then releases
   * every lock of this session; returns the database's time just before the release.
   */
  public OffsetDateTime releaseOnceAWaiterWaited(Duration wait) throws Exception {
    await("a transaction waiting on an advisory lock for more than " + wait)
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                Blocking.await(
                            session
                                .preparedQuery(
                                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type ="
                                        + " 'Lock' AND wait_event = 'advisory' AND clock_timestamp()"
                                        + " - xact_start > make_interval(secs => $1)")
                                .execute(Tuple.of(wait.toMillis() / 1000.0)),
                            TIMEOUT)
                        .iterator()
                        .next()
                        .getLong(0)
                    > 0);
    OffsetDateTime released =
        Blocking.await(session.query("SELECT clock_timestamp()").execute(), TIMEOUT)
            .iterator()
            .next()
            .getOffsetDateTime(0);
    Blocking.await(session.query("SELECT pg_advisory_unlock_all()").execute(), TIMEOUT);
    Blocking.await(session.close(), TIMEOUT);
    return released;
  }
}
