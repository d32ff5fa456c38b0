package dev.soma.resilience.bench;

import dev.soma.resilience.config.DatabaseUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;

/**
 * Fills an outbox with a backlog of pending events the way other writers may: plain {@code
 * INSERT}s with only tenant, dedupe key, topic, partition key and payload set (see {@code
 * V1__outbox.sql}), committed a few rows at a time ({@code --rows-per-transaction}, 100 by
 * default) as a busy service's small transactions would. The driver sends each transaction's rows as multi-row {@code INSERT}
 * statements ({@code reWriteBatchedInserts}): the rows are the same as with one statement per
 * row (same transactions, so the same {@code next_attempt_at}, ids and {@code created_at} order),
 * written twice as fast. (How a backlog is written changes how fast the relay
 * drains few hot keys: issue 14 measured 549 events/s for 3x50 written by plain INSERTs, 4,432/s
 * for the same backlog written in one transaction; COPY, used before, is the latter kind.) Then
 * vacuums and analyzes, as autovacuum would have done while a real backlog built up, so the claim
 * runs on fresh statistics.
 */
final class Backlog {

  static final String INSERT =
      """
      INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, partition_key, payload)
      VALUES (?, ?, ?, ?, ?::jsonb)""";

  private Backlog() {}

  /**
   * Inserts events {@code [from, from + count)} of {@code shape} for {@code topic}, committing
   * every {@code rowsPerTransaction} rows.
   */
  static void load(DatabaseUrl url, EventShape shape, String topic, long from, long count,
      int rowsPerTransaction) throws Exception {
    Properties properties = new Properties();
    properties.setProperty("user", url.user());
    properties.setProperty("password", url.password());
    properties.setProperty("reWriteBatchedInserts", "true");
    try (Connection c = DriverManager.getConnection(url.jdbcUrl(), properties);
        PreparedStatement insert = c.prepareStatement(INSERT)) {
      c.setAutoCommit(false);
      for (long n = from; n < from + count; n++) {
        insert.setString(1, shape.tenant(n));
        insert.setString(2, shape.dedupeKey("evt", n));
        insert.setString(3, topic);
        insert.setString(4, shape.aggregate(n));
        insert.setString(5, shape.payload(n));
        insert.addBatch();
        if ((n - from + 1) % rowsPerTransaction == 0 || n == from + count - 1) {
          insert.executeBatch();
          c.commit();
        }
      }
    }
  }

  /**
   * Marks the rows of {@code topic} published an hour ago, as if the relay had sent them: history
   * that an operator's replay can put back (within {@code outbox.retentionHours}, 24 by default,
   * or the relay's cleanup would delete it).
   */
  static void markPublished(DatabaseUrl url, String topic) throws Exception {
    try (Connection c = BenchServers.connect(url);
        PreparedStatement s = c.prepareStatement("""
            UPDATE outbox_messages
               SET status = 'published', attempts = 1, published_at = now() - interval '1 hour'
             WHERE topic = ? AND status = 'pending'""")) {
      s.setString(1, topic);
      s.executeUpdate();
    }
  }

  /** Vacuums and analyzes the outbox, then checkpoints, so every run starts from the same state. */
  static void settle(DatabaseUrl url) throws Exception {
    try (Connection c = BenchServers.connect(url); Statement s = c.createStatement()) {
      s.execute("VACUUM ANALYZE outbox_messages");
      s.execute("CHECKPOINT");
    }
  }

  /** Transactions committed in this database so far (PostgreSQL's statistics). */
  static long commits(DatabaseUrl url) throws Exception {
    try (Connection c = BenchServers.connect(url); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static long pending(DatabaseUrl url) throws Exception {
    try (Connection c = BenchServers.connect(url); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT count(*) FROM outbox_messages WHERE status = 'pending'")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
