package dev.soma.resilience.bench;

import dev.soma.resilience.config.DatabaseUrl;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Baseline (a): how fast PostgreSQL alone claims and marks outbox rows, with no Kafka in between.
 * Each worker loops over the simplest correct claim: one transaction takes the oldest due,
 * unleased pending rows with {@code FOR UPDATE SKIP LOCKED}, leases them and returns them (the
 * same columns the relay reads); a second transaction marks them published with the relay's own
 * statement. Workers stop when nothing is left or when {@link #stop} is called.
 *
 * <p>{@code ORDER BY id} needs an index on pending ids: without one every claim walks the
 * published prefix of the primary key and the loop slows down quadratically, which would make a
 * weak baseline. {@link #prepare} adds that one index to the baseline's copy of the table.
 */
final class ClaimBaseline {

  static final String PENDING_ID_INDEX =
      "CREATE INDEX bench_pending_id ON outbox_messages (id) WHERE status = 'pending'";

  static final String CLAIM =
      """
      UPDATE outbox_messages m
         SET lease_owner = ?, lease_expires_at = now() + interval '60 seconds'
        FROM (SELECT id FROM outbox_messages
               WHERE status = 'pending' AND next_attempt_at <= now()
                 AND (lease_expires_at IS NULL OR lease_expires_at < now())
               ORDER BY id
               LIMIT ?
                 FOR UPDATE SKIP LOCKED) c
       WHERE m.id = c.id
      RETURNING m.id, m.tenant_id, m.dedupe_key, m.topic, m.partition_key, m.payload::text,
                m.headers::text, m.attempts, m.max_attempts, m.created_at""";

  /** The relay's MARK_PUBLISHED, verbatim. */
  static final String MARK =
      """
      UPDATE outbox_messages
         SET status = 'published', published_at = now(), attempts = attempts + 1,
             lease_owner = NULL, lease_expires_at = NULL, last_error = NULL
       WHERE id = ANY(?) AND lease_owner = ?""";

  private final DatabaseUrl url;
  private final int batchSize;
  private final AtomicLong marked = new AtomicLong();
  private final AtomicBoolean stopped = new AtomicBoolean();

  ClaimBaseline(DatabaseUrl url, int batchSize) {
    this.url = url;
    this.batchSize = batchSize;
  }

  static void prepare(DatabaseUrl url) throws Exception {
    try (Connection c = BenchServers.connect(url); Statement s = c.createStatement()) {
      s.execute(PENDING_ID_INDEX);
    }
  }

  long marked() {
    return marked.get();
  }

  void stop() {
    stopped.set(true);
  }

  /** Starts {@code workers} claim-and-mark loops; each thread ends when the table is drained. */
  List<Thread> start(int workers, long limit) {
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      String owner = "baseline-" + i;
      Thread t = new Thread(() -> loop(owner, limit), "claim-baseline-" + i);
      t.start();
      threads.add(t);
    }
    return threads;
  }

  private void loop(String owner, long limit) {
    try (Connection c = BenchServers.connect(url);
        PreparedStatement claim = c.prepareStatement(CLAIM);
        PreparedStatement mark = c.prepareStatement(MARK)) {
      c.setAutoCommit(false);
      while (!stopped.get() && marked.get() < limit) {
        claim.setString(1, owner);
        claim.setInt(2, batchSize);
        List<Long> ids = new ArrayList<>(batchSize);
        List<Object> rows = new ArrayList<>(batchSize);
        try (ResultSet rs = claim.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getLong(1));
            // materialise what the relay reads, so the rows really cross the wire
            rows.add(new Object[] {rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getString(7), rs.getInt(8), rs.getInt(9),
                rs.getObject(10, java.time.OffsetDateTime.class)});
          }
        }
        c.commit();
        if (ids.isEmpty()) {
          return;
        }
        mark.setArray(1, c.createArrayOf("bigint", ids.toArray()));
        mark.setString(2, owner);
        mark.executeUpdate();
        c.commit();
        marked.addAndGet(ids.size());
      }
    } catch (Exception e) {
      throw new IllegalStateException("claim baseline failed", e);
    }
  }
}
