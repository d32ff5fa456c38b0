package dev.soma.resilience.bench;

import dev.soma.resilience.config.DatabaseUrl;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Crash recovery: two relay JVMs drain one backlog together; once a quarter of it is acknowledged
 * (and both have started), one of them is killed with SIGKILL. Measured: the time from the kill
 * to the first, and to the last, of the rows the killed relay had leased being marked published
 * by the other relay, which keeps running (the successor: no restart, so no JVM start-up is
 * counted). The relay's default {@code leaseSeconds} applies. Rows the killed relay had leased
 * are read just before the kill and again just after it (a relay that takes over at once could
 * otherwise re-lease them before the second look); those it still marked itself (a statement
 * begun before the kill) are counted apart.
 */
final class CrashRecovery {

  static final String LEASED_BY =
      "SELECT id FROM outbox_messages WHERE status = 'pending' AND lease_owner = ?";

  static final String STILL_PENDING =
      "SELECT count(*) FROM outbox_messages WHERE id = ANY(?) AND status = 'pending'";

  /** Of the killed relay's rows: how many each side marked, and when the successor did. */
  static final String TAKEN_OVER =
      """
      SELECT count(*) FILTER (WHERE after),
             extract(epoch FROM min(published_at) FILTER (WHERE after)) * 1000,
             extract(epoch FROM max(published_at) FILTER (WHERE after)) * 1000,
             count(*) FILTER (WHERE status = 'published')
        FROM (SELECT status, published_at, published_at > to_timestamp(? / 1000.0) AS after
                FROM outbox_messages WHERE id = ANY(?)) o""";

  /**
   * @param acknowledgedAtKill records of the backlog acknowledged when the relay was killed
   * @param leased rows the killed relay held leased at the kill
   * @param markedByKilled of those, rows the killed relay still marked published itself
   * @param takenOver of those, rows the successor marked published before the time limit
   * @param firstSeconds kill to the first taken-over row marked published (NaN: none)
   * @param lastSeconds kill to the last one (NaN: not all within the time limit)
   * @param published rows of the whole backlog published at the end
   * @param duplicates records sent more than once
   */
  record Result(BacklogShape shape, long events, long leaseSeconds, long acknowledgedAtKill,
      int leased, long markedByKilled, long takenOver, double firstSeconds, double lastSeconds,
      long published, long duplicates) {}

  private CrashRecovery() {}

  static Result run(BenchRun run) throws Exception {
    BenchOptions options = run.options();
    BacklogShape shape = options.crashShape();
    long events = options.crashEvents();
    String topic = "bench.crash";
    run.servers().createTopics(options.partitions(), topic);
    OutboxBenchmark.step("crash recovery: writing " + events + " events of " + shape);
    DatabaseUrl db = run.servers().database("bench_crash");
    Backlog.load(db, shape.events(options.payloadBytes()), topic, 0, events,
        options.rowsPerTransaction());
    Backlog.settle(db);
    long leaseSeconds = run.config().outbox().lease().toSeconds();
    long limit = leaseSeconds + options.drainTimeoutSeconds();

    run.phase("crash recovery: two relays draining, SIGKILL of one at a quarter (lease "
        + leaseSeconds + " s)");
    CpuAccounting.Snapshot phase = run.cpu().snapshot();
    try (ChildJvm killed = run.relay(db, "relay-crash-killed");
        ChildJvm successor = run.relay(db, "relay-crash-successor")) {
      killed.awaitStarted(120);
      successor.awaitStarted(120);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(limit);
      List<Long> leased = List.of();
      long acknowledged = 0;
      while (leased.isEmpty() && acknowledged < events && System.nanoTime() < deadline) {
        Thread.sleep(10);
        acknowledged = DrainRun.endOffset(run.servers().admin, topic);
        if (acknowledged >= events / 4) {
          leased = leasedBy(db, killed.relayId());
        }
      }
      long killMillis = System.currentTimeMillis();
      killed.kill();
      // what it leased between the first look and the kill (rows it marked in that time are
      // told apart by their published_at)
      leased = union(leased, leasedBy(db, killed.relayId()));
      System.out.printf("  killed %s with %,d rows leased, %,d of %,d acknowledged%n",
          killed.relayId(), leased.size(), acknowledged, events);
      // the killed relay's rows by primary key (cheap), the rest by end offsets, so that the
      // watching takes little from the successor
      while (stillPending(db, leased) > 0 && running(deadline, successor)) {
        Thread.sleep(100);
      }
      while (DrainRun.endOffset(run.servers().admin, topic) < events
          && running(deadline, successor)) {
        Thread.sleep(200);
      }
      while (Backlog.pending(db) > 0 && running(deadline, successor)) {
        Thread.sleep(200);
      }
      run.report().cpu("crash recovery", run.cpu().since(phase));
      long published = events - Backlog.pending(db);
      long duplicates = DrainRun.endOffset(run.servers().admin, topic) - published;
      return result(db, shape, events, leaseSeconds, acknowledged, leased, killMillis, published,
          duplicates);
    }
  }

  private static Result result(DatabaseUrl db, BacklogShape shape, long events,
      long leaseSeconds, long acknowledged, List<Long> leased, long killMillis, long published,
      long duplicates) throws Exception {
    try (Connection c = BenchServers.connect(db);
        PreparedStatement s = c.prepareStatement(TAKEN_OVER)) {
      s.setLong(1, killMillis);
      s.setArray(2, ids(c, leased));
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        long takenOver = rs.getLong(1);
        long marked = rs.getLong(4);
        double first = takenOver > 0 ? (rs.getDouble(2) - killMillis) / 1000 : Double.NaN;
        double last = marked == leased.size() && takenOver > 0
            ? (rs.getDouble(3) - killMillis) / 1000 : Double.NaN;
        return new Result(shape, events, leaseSeconds, acknowledged, leased.size(),
            marked - takenOver, takenOver, first, last, published, duplicates);
      }
    }
  }

  private static List<Long> union(List<Long> before, List<Long> after) {
    return java.util.stream.Stream.concat(before.stream(), after.stream()).distinct().toList();
  }

  private static boolean running(long deadline, ChildJvm successor) {
    return System.nanoTime() < deadline && successor.alive();
  }

  private static List<Long> leasedBy(DatabaseUrl db, String owner) throws Exception {
    List<Long> ids = new ArrayList<>();
    try (Connection c = BenchServers.connect(db);
        PreparedStatement s = c.prepareStatement(LEASED_BY)) {
      s.setString(1, owner);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
      }
    }
    return ids;
  }

  private static long stillPending(DatabaseUrl db, List<Long> ids) throws Exception {
    try (Connection c = BenchServers.connect(db);
        PreparedStatement s = c.prepareStatement(STILL_PENDING)) {
      s.setArray(1, ids(c, ids));
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static Array ids(Connection c, List<Long> ids) throws Exception {
    return c.createArrayOf("bigint", ids.toArray());
  }
}
