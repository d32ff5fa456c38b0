package dev.soma.resilience.bench;

import dev.soma.resilience.config.DatabaseUrl;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Fills an outbox with a backlog of pending events, the way other writers may: plain rows with
 * only tenant, dedupe key, topic, partition key and payload set (see {@code V1__outbox.sql}),
 * loaded with COPY. Then vacuums and analyzes, as autovacuum would have done while a real backlog
 * built up, so the claim runs on fresh statistics.
 */
final class Backlog {

  private static final int CHUNK = 20_000;

  private Backlog() {}

  /** Loads events {@code [from, from + count)} of {@code shape} for {@code topic}. */
  static void load(DatabaseUrl url, EventShape shape, String topic, long from, long count)
      throws Exception {
    try (Connection c = BenchServers.connect(url)) {
      CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
      StringBuilder rows = new StringBuilder(CHUNK * 600);
      for (long n = from; n < from + count; n++) {
        rows.append(shape.tenant(n)).append('\t')
            .append(shape.dedupeKey("evt", n)).append('\t')
            .append(topic).append('\t')
            .append(shape.aggregate(n)).append('\t')
            .append(shape.payload(n)).append('\n');
        if ((n - from + 1) % CHUNK == 0 || n == from + count - 1) {
          copy.copyIn("COPY outbox_messages (tenant_id, dedupe_key, topic, partition_key, payload)"
              + " FROM STDIN", new StringReader(rows.toString()));
          rows.setLength(0);
        }
      }
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
