package dev.soma.resilience.bench;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.audit.AdminAudit;
import dev.soma.resilience.common.db.Database;
import dev.soma.resilience.config.DatabaseUrl;
import dev.soma.resilience.config.OutboxConfig;
import dev.soma.resilience.outbox.Outbox;
import dev.soma.resilience.outbox.OutboxFilter;
import dev.soma.resilience.outbox.OutboxReplay;
import dev.soma.resilience.outbox.ReplayResult;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Issue 17's measurement: live commit-to-ack latency while an operator's replay runs, against the
 * same live load without one, in one run with one relay JVM. The history is {@code --replay-events}
 * published events of one tenant ({@code tenant-000}, {@code --replay-keys} aggregates), which is
 * also one of the live load's tenants: a replay is per tenant ({@code POST
 * /admin/outbox/replay/tenant}, at most {@code outbox.replayMaxRows} rows) and the tenant whose
 * consumers lost events is usually still live. Phases, each after a quiet wait: live load alone;
 * for each of {@code --replay-rates}, the same live load with a replay of the whole history started
 * (through {@link OutboxReplay#replayMatching}, as the admin endpoint does) when the live warm-up
 * ends, then a wait until the replay is sent; live load alone again; the raw producer at the live
 * rate.
 */
final class ReplayLatency {

  static final String HISTORY_TOPIC = "bench.replay-history";

  /** The history's one tenant (event {@code n} of a one-tenant {@link EventShape}). */
  static final String TENANT = new EventShape(1, 1, 50).tenant(0);

  /**
   * When each of the replay's rows was due (the replay set {@code next_attempt_at} to its paced
   * time, which only a failed send changes) and published, in ms since the epoch.
   */
  static final String SENT =
      """
      SELECT extract(epoch FROM next_attempt_at) * 1000, extract(epoch FROM published_at) * 1000
        FROM outbox_messages
       WHERE topic = ? AND status = 'published' AND published_at >= to_timestamp(? / 1000.0)""";

  /**
   * What the replay of one window did.
   *
   * @param rate its pace, events/s
   * @param rows rows it put back
   * @param requeueSeconds how long the replay's call (choosing and scheduling its rows) took
   * @param sentInWindow its rows published before the live window ended
   * @param windowSeconds from the replay's start to the live window's end
   * @param sentSeconds from its first row's due time to its last row's publication
   * @param sent its rows published in all (fewer than {@code rows}: unfinished)
   * @param lagMillis published minus due, per row, ms
   */
  record Replay(int rate, int rows, double requeueSeconds, long sentInWindow,
      double windowSeconds, double sentSeconds, long sent, Histogram lagMillis) {
    double rateInWindow() {
      return sentInWindow / windowSeconds;
    }
  }

  /** One live window: all live events, the replayed tenant's live events, the replay. */
  record Window(String label, LatencyRun.Result live, Histogram tenantLive, long[] tenantWorst,
      Replay replay, String loadAverage, String cpuPhase) {}

  /** The whole phase's result, rendered by {@link ReplayReport}. */
  record Result(int configuredRate, List<Window> windows, LatencyRun.Result raw,
      double historySeconds) {}

  private ReplayLatency() {}

  /** Refuses, before anything starts, a history larger than one replay may put back. */
  static void check(BenchOptions options, OutboxConfig.Replay configured) {
    if (!options.replayRates().isEmpty() && options.replayEvents() > configured.maxRows()) {
      throw new IllegalArgumentException("--replay-events=" + options.replayEvents()
          + " is more than one replay may put back (outbox.replayMaxRows "
          + configured.maxRows() + ")");
    }
  }

  static Result run(BenchRun run) throws Exception {
    BenchOptions options = run.options();
    OutboxConfig.Replay configured = run.config().outbox().replay();
    DatabaseUrl db = run.servers().database("bench_replay");
    run.servers().createTopics(options.partitions(), HISTORY_TOPIC);
    double historySeconds = history(db, options);
    List<Window> windows = new ArrayList<>();
    EventShape live = options.latencyShape().events(options.payloadBytes());
    Pool pool = new Database(db).pool(run.servers().vertx, 2);
    try (ChildJvm relay = run.relay(db, "relay-replay");
        ProducerBaseline raw = new ProducerBaseline(run.config().kafka(),
            run.servers().bootstrap(), "bench-raw-replay", live)) {
      relay.awaitStarted(120);
      windows.add(window(run, db, pool, live, windows.size(), 0, configured.maxRows()));
      for (int rate : options.replayRates()) {
        windows.add(window(run, db, pool, live, windows.size(), rate, configured.maxRows()));
      }
      windows.add(window(run, db, pool, live, windows.size(), 0, configured.maxRows()));
      Backlog.settle(db);
      int rate = options.replayLiveRate();
      String topic = "bench.raw-replay-" + rate;
      run.servers().createTopics(options.partitions(), topic);
      CpuAccounting.Snapshot phase = run.phase("replay: raw producer at " + rate + " events/s");
      LatencyRun.Result direct = LatencyRun.raw(run.servers(), raw, options, rate, topic);
      run.report().cpu("replay: raw producer", run.cpu().since(phase));
      return new Result(configured.rate(), windows, direct, historySeconds);
    } finally {
      Blocking.await(pool.close(), Duration.ofSeconds(10));
    }
  }

  /** Writes the history as published rows, as if the relay had sent them long ago. */
  private static double history(DatabaseUrl db, BenchOptions options) throws Exception {
    OutboxBenchmark.step("replay: writing a history of " + options.replayEvents()
        + " published events of " + TENANT + " (" + options.replayKeys() + " keys)");
    long start = System.nanoTime();
    Backlog.load(db, new EventShape(1, options.replayKeys(), options.payloadBytes()),
        HISTORY_TOPIC, 0, options.replayEvents(), options.rowsPerTransaction());
    Backlog.markPublished(db, HISTORY_TOPIC);
    Backlog.settle(db);
    return (System.nanoTime() - start) / 1e9;
  }

  /** One live window, with a replay at {@code rate} started when its warm-up ends (0: none). */
  private static Window window(BenchRun run, DatabaseUrl db, Pool pool, EventShape live,
      int index, int rate, int maxRows) throws Exception {
    BenchOptions options = run.options();
    int liveRate = options.replayLiveRate();
    String label = rate > 0 ? "live + replay at " + rate + "/s"
        : index == 0 ? "live only" : "live only, after";
    String prefix = "live" + index;
    String topic = "bench.replay-" + prefix;
    run.servers().createTopics(options.partitions(), topic);
    String cpuPhase = "replay: " + label;
    CpuAccounting.Snapshot phase = run.phase(cpuPhase + " (live " + liveRate + " events/s)");
    OutboxReplay replay = new OutboxReplay(pool, new Outbox(run.servers().vertx),
        new OutboxConfig.Replay(Math.max(1, rate), maxRows));
    ReplayResult[] replayed = new ReplayResult[1];
    long[] startedMillis = new long[2];
    LatencyRun.Measured measured = LatencyRun.relay(run.servers(), db, live, options, liveRate,
        topic, prefix, n -> TENANT.equals(live.tenant(n)), () -> {
          if (rate > 0) {
            startedMillis[0] = System.currentTimeMillis();
            replayed[0] = Blocking.await(replay.replayMatching(history(), false, audit(rate)),
                Duration.ofMinutes(2));
            startedMillis[1] = System.currentTimeMillis();
            OutboxBenchmark.step("  replay of " + replayed[0].count() + " rows requeued in "
                + (startedMillis[1] - startedMillis[0]) + " ms, paced over "
                + Math.round(replayed[0].paceSeconds()) + " s");
          }
        });
    run.report().cpu(cpuPhase, run.cpu().since(phase));
    String load = Machine.loadAverage();
    Replay result = rate == 0 ? null : awaitSent(run, db, replay, rate, replayed[0],
        startedMillis, measured);
    return new Window(label, measured.all(), measured.selected(), measured.selectedWorst(), result,
        load, cpuPhase);
  }

  /** Waits until the replay is sent (at most its pace plus --drain-timeout), then reads it. */
  private static Replay awaitSent(BenchRun run, DatabaseUrl db, OutboxReplay replay, int rate,
      ReplayResult replayed, long[] startedMillis, LatencyRun.Measured window)
      throws Exception {
    long deadline = System.nanoTime()
        + (long) ((replayed.paceSeconds() + run.options().drainTimeoutSeconds()) * 1e9);
    long unsent = Blocking.await(replay.unsent(history()), Duration.ofSeconds(30));
    while (unsent > 0 && System.nanoTime() < deadline) {
      Thread.sleep(1000);
      unsent = Blocking.await(replay.unsent(history()), Duration.ofSeconds(30));
    }
    OutboxBenchmark.step("  replay " + (unsent == 0 ? "sent" : unsent + " rows still unsent"));
    Histogram lag = new Histogram(3_600_000_000L, 3);
    long inWindow = 0;
    double first = Double.MAX_VALUE;
    double last = 0;
    long windowEnd = window.toMillis();
    try (var c = BenchServers.connect(db); var s = c.prepareStatement(SENT)) {
      s.setString(1, HISTORY_TOPIC);
      s.setLong(2, startedMillis[0] - 1000);
      try (var rs = s.executeQuery()) {
        while (rs.next()) {
          double due = rs.getDouble(1);
          double published = rs.getDouble(2);
          lag.recordValue(Math.max(0, Math.round(published - due)));
          first = Math.min(first, due);
          last = Math.max(last, published);
          if (published < windowEnd) {
            inWindow++;
          }
        }
      }
    }
    // the window's measured part begins when the replay is started, so they overlap from there
    return new Replay(rate, replayed.count(), (startedMillis[1] - startedMillis[0]) / 1e3,
        inWindow, (windowEnd - startedMillis[0]) / 1e3, (last - first) / 1e3,
        lag.getTotalCount(), lag);
  }

  private static OutboxFilter history() {
    return new OutboxFilter(TENANT, null, HISTORY_TOPIC, null, null, null, null);
  }

  private static AdminAudit.Entry audit(int rate) {
    return new AdminAudit.Entry("bench", "outbox.replay.tenant", new JsonObject()
        .put("tenantId", TENANT).put("topic", HISTORY_TOPIC)
        .put("reason", "benchmark: live latency during a replay at " + rate + "/s"), 0, false);
  }
}
