package dev.soma.resilience.bench;

import dev.soma.resilience.config.DatabaseUrl;
import dev.soma.resilience.outbox.internal.OutboxRepository;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

/**
 * Holds the relays of one database at the start line, so that relays started one after another
 * (each JVM takes seconds to start) begin a drain together: while closed, the gate holds, on a
 * connection of its own, the advisory lock of every claim bucket, which each relay's claim takes
 * in its transaction before it reads or leases a row ({@code ClaimSql.LOCK_CLAIMS}); a started
 * relay's first claims wait there. {@link #open} releases them all at once. The lock's class is
 * the relay's own constant, private to it: were it changed, no relay would wait here, which {@link
 * #awaitWaiting} reports instead of letting a staggered start pass for a drain.
 */
final class ClaimGate implements AutoCloseable {

  /** {@code ClaimSql.CLAIM_LOCK_CLASS}. */
  static final int CLAIM_LOCK_CLASS = 0x534f_4d41;

  static final String CLOSE =
      "SELECT pg_advisory_lock(?, b) FROM generate_series(0, ? - 1) AS b";

  /** Sessions waiting for a claim lock (two-key advisory locks carry the first key as classid). */
  static final String WAITING = """
      SELECT count(DISTINCT pid) FROM pg_locks
       WHERE locktype = 'advisory' AND objsubid = 2 AND classid = ? AND NOT granted
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())""";

  private final Connection connection;

  private ClaimGate(Connection connection) {
    this.connection = connection;
  }

  /** Closes the gate on {@code db}'s relays: none of them claims until {@link #open}. */
  static ClaimGate closed(DatabaseUrl db) throws Exception {
    Connection c = BenchServers.connect(db);
    try (PreparedStatement s = c.prepareStatement(CLOSE)) {
      s.setInt(1, CLAIM_LOCK_CLASS);
      s.setInt(2, OutboxRepository.CLAIM_BUCKETS);
      s.executeQuery().close();
      return new ClaimGate(c);
    } catch (Exception e) {
      c.close();
      throw e;
    }
  }

  /**
   * Waits until at least {@code sessions} of the relays' sessions wait at the gate; fails after
   * {@code timeoutSeconds}.
   */
  void awaitWaiting(int sessions, long timeoutSeconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    long waiting;
    while ((waiting = waiting()) < sessions) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(waiting + " relay session(s) wait at the claim gate after "
            + timeoutSeconds + " s, not " + sessions + ": is ClaimGate.CLAIM_LOCK_CLASS still the"
            + " relay's ClaimSql.CLAIM_LOCK_CLASS?");
      }
      Thread.sleep(100);
    }
  }

  private long waiting() throws Exception {
    try (PreparedStatement s = connection.prepareStatement(WAITING)) {
      s.setInt(1, CLAIM_LOCK_CLASS);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Lets every waiting claim go at once. */
  void open() throws Exception {
    try (Statement s = connection.createStatement()) {
      s.executeQuery("SELECT pg_advisory_unlock_all()").close();
    }
  }

  @Override
  public void close() throws Exception {
    connection.close();
  }
}
