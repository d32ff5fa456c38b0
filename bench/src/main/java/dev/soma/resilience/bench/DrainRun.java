package dev.soma.resilience.bench;

import dev.soma.resilience.config.DatabaseUrl;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * Measures one drain of a pre-loaded backlog by one running relay ({@link ChildJvm}) or several:
 * from the moment the relay reports itself started (or the relays are let go together) until the
 * last row is marked published, or until a time limit, after which the drain is reported as
 * unfinished with what it published by then. Progress is
 * watched on the Kafka side (end offsets, cheap) so that the watching does not load PostgreSQL;
 * the end is read from the rows themselves ({@code max(published_at)}).
 */
final class DrainRun {

  /**
   * @param events the backlog
   * @param published rows marked published when the drain ended (all of them when {@code
   *     finished})
   * @param seconds relay started to last row marked, or to the time limit when not finished
   * @param steadySeconds time between the 10th and 90th percentile of {@code published_at}
   * @param startupSeconds JVM launch to relay started (not part of the drain)
   * @param finished whether every row was published within the time limit
   */
  record Result(long events, long published, double seconds, double steadySeconds,
      double startupSeconds, boolean finished) {
    double rate() {
      return published / seconds;
    }

    double steadyRate() {
      return steadySeconds > 0 ? published * 0.8 / steadySeconds : 0;
    }

    /** "12.3 s", or "did not finish: N events in T s". */
    String outcome() {
      return finished ? String.format(Locale.ROOT, "%.1f s", seconds)
          : String.format(Locale.ROOT, "did not finish: %,d of %,d events in %.0f s", published,
              events, seconds);
    }
  }

  private DrainRun() {}

  static Result measure(ChildJvm relay, DatabaseUrl db, Admin admin, String topic,
      long events, long timeoutSeconds) throws Exception {
    long started = relay.awaitStarted(120);
    return measure(List.of(relay), started, (started - relay.launchedNanos()) / 1e9, db, admin,
        topic, events, timeoutSeconds);
  }

  /**
   * The drain by {@code relays} together, from {@code started} ({@link System#nanoTime}: when the
   * last of them started, or when they were let go together); {@code startupSeconds} is reported
   * as the relays' start-up.
   */
  static Result measure(List<ChildJvm> relays, long started, double startupSeconds,
      DatabaseUrl db, Admin admin, String topic, long events, long timeoutSeconds)
      throws Exception {
    long startedWallMillis = System.currentTimeMillis()
        - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    long deadline = started + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    long lastReport = 0;
    while (endOffset(admin, topic) < events && before(relays, deadline, "acknowledged")) {
      if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(10)) {
        lastReport = System.nanoTime();
        System.out.printf("  drain: %,d of %,d acknowledged after %.0f s%n",
            endOffset(admin, topic), events, (System.nanoTime() - started) / 1e9);
      }
      Thread.sleep(100);
    }
    while (Backlog.pending(db) > 0 && before(relays, deadline, "marked published")) {
      Thread.sleep(100);
    }
    boolean finished = System.nanoTime() < deadline;
    double limit = (System.nanoTime() - started) / 1e9;
    try (Connection c = BenchServers.connect(db); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("""
            SELECT extract(epoch FROM max(published_at)) * 1000,
                   extract(epoch FROM percentile_disc(0.9) WITHIN GROUP (ORDER BY published_at)
                         - percentile_disc(0.1) WITHIN GROUP (ORDER BY published_at)),
                   count(*)
              FROM outbox_messages WHERE status = 'published'""")) {
      rs.next();
      double seconds = finished ? (rs.getDouble(1) - startedWallMillis) / 1000.0 : limit;
      return new Result(events, rs.getLong(3), seconds, rs.getDouble(2), startupSeconds,
          finished);
    }
  }

  /** Whether the drain may go on: every relay is alive (else fails) and the limit not reached. */
  private static boolean before(List<ChildJvm> relays, long deadline, String what) {
    for (ChildJvm relay : relays) {
      if (!relay.alive()) {
        throw new IllegalStateException(relay.name() + " exited before the backlog was " + what);
      }
    }
    return System.nanoTime() < deadline;
  }

  static long endOffset(Admin admin, String topic) throws Exception {
    TopicDescription description =
        admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    Map<TopicPartition, OffsetSpec> latest = description.partitions().stream()
        .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()),
            p -> OffsetSpec.latest()));
    return admin.listOffsets(latest).all().get().values().stream()
        .mapToLong(info -> info.offset()).sum();
  }
}
