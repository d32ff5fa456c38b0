package dev.soma.resilience.bench;

import dev.soma.resilience.config.DatabaseUrl;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * Measures one drain of a pre-loaded backlog by a running {@link RelayProcess}: from the moment the
 * relay reports itself started until the last row is marked published. Progress is watched on
 * the Kafka side (end offsets, cheap) so that the watching does not load PostgreSQL; the end is
 * read from the rows themselves ({@code max(published_at)}).
 */
final class DrainRun {

  /**
   * @param seconds relay started to last row marked
   * @param steadySeconds time between the 10th and 90th percentile of {@code published_at}
   * @param startupSeconds JVM launch to relay started (not part of the drain)
   */
  record Result(long events, double seconds, double steadySeconds, double startupSeconds,
      long published) {
    double rate() {
      return events / seconds;
    }

    double steadyRate() {
      return events * 0.8 / steadySeconds;
    }
  }

  private DrainRun() {}

  static Result measure(RelayProcess relay, DatabaseUrl db, Admin admin, String topic,
      long events, long timeoutSeconds) throws Exception {
    long started = relay.awaitStarted(120);
    long startedWallMillis = System.currentTimeMillis()
        - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    long lastReport = 0;
    while (endOffset(admin, topic) < events) {
      check(relay, deadline, "acknowledged");
      if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(10)) {
        lastReport = System.nanoTime();
        System.out.printf("  drain: %,d of %,d acknowledged after %.0f s%n",
            endOffset(admin, topic), events, (System.nanoTime() - started) / 1e9);
      }
      Thread.sleep(100);
    }
    while (Backlog.pending(db) > 0) {
      check(relay, deadline, "marked published");
      Thread.sleep(100);
    }
    try (Connection c = BenchServers.connect(db); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("""
            SELECT extract(epoch FROM max(published_at)) * 1000,
                   extract(epoch FROM percentile_disc(0.9) WITHIN GROUP (ORDER BY published_at)
                         - percentile_disc(0.1) WITHIN GROUP (ORDER BY published_at)),
                   count(*)
              FROM outbox_messages WHERE status = 'published'""")) {
      rs.next();
      double seconds = (rs.getDouble(1) - startedWallMillis) / 1000.0;
      double startup = (started - relay.launchedNanos()) / 1e9;
      return new Result(events, seconds, rs.getDouble(2), startup, rs.getLong(3));
    }
  }

  private static void check(RelayProcess relay, long deadline, String what) {
    if (!relay.alive()) {
      throw new IllegalStateException("the relay exited before the backlog was " + what);
    }
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException("the backlog was not " + what + " in time");
    }
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
