package dev.soma.resilience.bench;

import dev.soma.resilience.config.DatabaseUrl;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Part 1 of the cluster suite: one backlog shape drained by 1, then 2, then 3 relays (each a
 * {@code publish-outbox} JVM of its own, coordinating through PostgreSQL only), a fresh backlog of
 * the same shape each time. Every backlog is written before the first drain (so that the writing's
 * load has died down before any drain); each drain then starts its relays behind a {@link
 * ClaimGate}, waits for a quiet machine, and lets them go together. Each relay's share is its own
 * count of events Kafka acknowledged ({@code outbox_messages_published_total} on its {@code
 * /metrics}).
 */
final class RelayScaling {

  /** The CPU accounting's name for every relay JVM of a drain, counted together. */
  static final String RELAYS = "relays";

  /**
   * The relays' {@code outbox.leaseSeconds}: a day instead of 60 s. A claim's lease runs from its
   * transaction's start ({@code now()}), and a claim held at the {@link ClaimGate} began its
   * transaction before the wait for a quiet machine: with 60 s, a wait of over a minute made it
   * commit leases already over, and the relay's next claim took the same rows again (350 of them
   * sent twice by a single relay in the first run). The lease matters only when a relay stalls or
   * dies, which no drain here does (and a dead relay's leases end with its session anyway).
   */
  static final String LEASE_SECONDS = "86400";

  /** What a relay (or node) logs once everything it runs is up, HTTP included. */
  static final Pattern UP = Pattern.compile("soma-resilience up \\(");

  /**
   * One drain.
   *
   * @param published each relay's own count of acknowledged events, in start order
   * @param duplicates records on the topic beyond the backlog (sent more than once)
   * @param quiet the wait for a quiet machine before it, with the relays started and held
   */
  record Result(int relays, DrainRun.Result drain, List<Long> published, long duplicates,
      CpuAccounting.Usage usage, LoadWait.Result quiet) {}

  private RelayScaling() {}

  /** Writes one backlog per relay count, then drains each. */
  static List<Result> run(ClusterRun run) throws Exception {
    ClusterOptions options = run.options();
    EventShape events = options.shape().events(options.payloadBytes());
    List<DatabaseUrl> databases = new ArrayList<>();
    for (int relays : options.relays()) {
      OutboxBenchmark.step("drain part: writing " + options.events() + " events of "
          + options.shape() + " for " + relays + " relay(s) (plain INSERTs)");
      DatabaseUrl db = run.servers().database("bench_relays_" + relays);
      run.servers().createTopics(options.partitions(), topic(relays));
      Backlog.load(db, events, topic(relays), 0, options.events(), options.rowsPerTransaction());
      Backlog.settle(db);
      databases.add(db);
    }
    List<Result> results = new ArrayList<>();
    for (int i = 0; i < databases.size(); i++) {
      results.add(drain(run, databases.get(i), options.relays().get(i)));
    }
    return results;
  }

  private static Result drain(ClusterRun run, DatabaseUrl db, int count) throws Exception {
    ClusterOptions options = run.options();
    String topic = topic(count);
    List<ChildJvm> relays = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    try (ClaimGate gate = ClaimGate.closed(db)) {
      OutboxBenchmark.step(count + " relay(s): starting, held at the claim gate");
      long launched = System.nanoTime();
      for (int k = 1; k <= count; k++) {
        int port = freePort();
        ChildJvm relay = ChildJvm.service(options.serviceClasspath(), options.relayHeap(), db,
            run.servers().bootstrap(), Map.of("SA01_HTTP_HOST", "127.0.0.1",
                "SA01_OUTBOX_LEASE_SECONDS", LEASE_SECONDS), run.logs(),
            count + "-relays-" + k, List.of("publish-outbox", "--http-port=" + port));
        run.cpu().own(relay.pid(), RELAYS);
        relays.add(relay);
        ports.add(port);
      }
      for (ChildJvm relay : relays) {
        relay.awaitLine(UP, 120);
      }
      double startup = (System.nanoTime() - launched) / 1e9;
      gate.awaitWaiting(count, 60);
      LoadWait.Result wait = run.awaitQuiet();
      if (DrainRun.endOffset(run.servers().admin, topic) != 0) {
        throw new IllegalStateException("relays published before the claim gate opened: the gate"
            + " does not hold them (see ClaimGate)");
      }
      OutboxBenchmark.step(count + " relay(s): draining " + options.events() + " events"
          + " (load average " + wait.loadAverage() + ")");
      CpuAccounting.Snapshot phase = run.cpu().snapshot();
      long started = System.nanoTime();
      gate.open();
      DrainRun.Result drain = DrainRun.measure(relays, started, startup, db, run.servers().admin,
          topic, options.events(), options.drainTimeoutSeconds());
      CpuAccounting.Usage usage = run.cpu().since(phase);
      List<Long> published = new ArrayList<>();
      for (int port : ports) {
        published.add(Math.round(ScrapedMetrics.sum(port, "outbox_messages_published_total")));
      }
      long duplicates = DrainRun.endOffset(run.servers().admin, topic) - drain.published();
      System.out.printf("  %s, %,.0f events/s; published per relay %s%n", drain.outcome(),
          drain.rate(), published);
      return new Result(count, drain, published, duplicates, usage, wait);
    } finally {
      for (ChildJvm relay : relays) {
        relay.close();
        run.cpu().disown(relay.pid());
      }
    }
  }

  private static String topic(int relays) {
    return "bench.cluster-relays-" + relays;
  }

  static int freePort() throws java.io.IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
