package dev.soma.resilience.bench;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.db.Database;
import dev.soma.resilience.config.DatabaseUrl;
import dev.soma.resilience.config.ServiceConfig;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The outbox benchmark (see docs/PERFORMANCE.md): measures, in one run on one machine, the two
 * baselines (PostgreSQL claim-and-mark alone, the Kafka producer alone, at the same time), the
 * relay's drain of a pre-loaded backlog, commit-to-ack latency at half the relay's rate next to
 * the raw producer's at that rate, and the relay's memory for two backlog sizes. Prints a
 * Markdown summary and writes it to {@code bench/results/}.
 */
public final class OutboxBenchmark {

  static final String DRAIN = "bench.drain";
  static final String RAW = "bench.raw";
  static final String WARMUP = "bench.warmup";
  static final String LATENCY = "bench.latency";
  static final String RAW_LATENCY = "bench.raw-latency";
  static final String MEMORY = "bench.memory";

  /** How long a phase waits for other processes to quiet down before it starts anyway. */
  static final int QUIET_WAIT_SECONDS = 60;

  private OutboxBenchmark() {}

  public static void main(String[] args) throws Exception {
    BenchOptions options = BenchOptions.parse(args);
    Map<String, String> env = new HashMap<>();
    if (options.batchSize() > 0) {
      env.put("SA01_OUTBOX_BATCH_SIZE", Integer.toString(options.batchSize()));
    }
    ServiceConfig config = ServiceConfig.load(env);
    int batch = config.outbox().batchSize();
    int workers = options.claimWorkers() > 0
        ? options.claimWorkers() : config.outbox().maxInFlightBatches();
    EventShape shape = new EventShape(options.tenants(), options.aggregatesPerTenant(),
        options.payloadBytes());
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path logs = Path.of("target", "bench", "run-" + stamp);
    Report report = new Report(options, config, batch, workers, logs);
    long events = options.events();

    CpuAccounting cpu = new CpuAccounting();
    try (BenchServers servers = BenchServers.start(options.partitions())) {
      report.servers(servers);
      cpu.own(servers.postmasterPid(), "PostgreSQL");
      step("databases and topics");
      DatabaseUrl relayDb = servers.database("bench_relay");
      DatabaseUrl claimDb = servers.database("bench_claim");
      servers.createTopics(options.partitions(), DRAIN, RAW, WARMUP, LATENCY, RAW_LATENCY, MEMORY);

      step("pre-loading " + events + " events into each database");
      long t0 = System.nanoTime();
      Backlog.load(relayDb, shape, DRAIN, 0, events);
      // two measured rounds, a warm-up, and what workers may claim past their limit
      long claimRows = 2 * events + options.warmupEvents() + 4L * workers * batch;
      Backlog.load(claimDb, shape, DRAIN, 0, claimRows);
      ClaimBaseline.prepare(claimDb);
      Backlog.settle(relayDb);
      Backlog.settle(claimDb);
      report.preload((System.nanoTime() - t0) / 1e9);

      try (ProducerBaseline raw = new ProducerBaseline(config.kafka(), servers.bootstrap(),
          "bench-raw", shape)) {
        step("warming up both baselines (" + options.warmupEvents() + " events each)");
        if (options.warmupEvents() > 0) {
          new ClaimBaseline(claimDb, batch).start(1, options.warmupEvents())
              .forEach(OutboxBenchmark::join);
          raw.flood(WARMUP, 0, options.warmupEvents());
        }
        baselineRound(1, servers, claimDb, config, shape, batch, workers, events, cpu, report);

        report.waited(cpu.awaitQuiet(QUIET_WAIT_SECONDS));
        step("relay draining the backlog (own JVM, -Xmx" + options.relayHeap() + ")");
        RelayProcess relay = RelayProcess.start(options.serviceClasspath(), options.relayHeap(),
            relayDb, servers.bootstrap(), env, logs, "relay-drain");
        cpu.own(relay.pid(), "relay JVM");
        try {
          relay.awaitStarted(120);
          CpuAccounting.Snapshot phase = cpu.snapshot();
          DrainRun.Result drain = DrainRun.measure(relay, relayDb, servers.admin, DRAIN, events,
              Math.max(600, events / 500));
          long sent = DrainRun.endOffset(servers.admin, DRAIN);
          report.drain(drain, sent - events, relay.heap(relay.uptimeSeconds()),
              relay.peakRssKb(), cpu.since(phase));

          double rate =
              options.latencyRate() > 0 ? options.latencyRate() : drain.steadyRate() / 2;
          // steady state: autovacuum has caught up with the drain (see docs/PERFORMANCE.md)
          Backlog.settle(relayDb);
          report.waited(cpu.awaitQuiet(QUIET_WAIT_SECONDS));
          step(String.format("commit-to-ack latency at %.0f events/s", rate));
          phase = cpu.snapshot();
          long commits = Backlog.commits(relayDb);
          long latencyStart = System.nanoTime();
          LatencyResult latency = relayLatency(servers, relayDb, shape, options, rate);
          report.latency(rate, latency, cpu.since(phase));
          Thread.sleep(1000); // backends publish their statistics at most once a second
          report.relayTransactions(
              (Backlog.commits(relayDb) - commits) / ((System.nanoTime() - latencyStart) / 1e9 - 1));
          report.relayTotals(relay.heap(-1), relay.peakRssKb());
        } finally {
          relay.close();
        }

        Backlog.settle(claimDb);
        baselineRound(2, servers, claimDb, config, shape, batch, workers, events, cpu, report);

        report.waited(cpu.awaitQuiet(QUIET_WAIT_SECONDS));
        step("raw producer latency at the same rate");
        CpuAccounting.Snapshot phase = cpu.snapshot();
        LatencyResult rawLatency = rawLatency(servers, raw, options, report.latencyRate());
        report.rawLatency(rawLatency, cpu.since(phase));
      }

      if (options.memoryCheckEvents() > 0) {
        memoryCheck(servers, shape, options, env, logs, report, cpu);
      }
    }
    report.write();
  }

  /** Baselines (a) and (b) together; round 1 runs before the drain, round 2 after it. */
  private static void baselineRound(int round, BenchServers servers, DatabaseUrl claimDb,
      ServiceConfig config, EventShape shape, int batch, int workers, long events,
      CpuAccounting cpu, Report report) throws Exception {
    report.waited(cpu.awaitQuiet(QUIET_WAIT_SECONDS));
    step("baselines (a) and (b) at the same time, round " + round);
    try (ProducerBaseline producer = new ProducerBaseline(config.kafka(), servers.bootstrap(),
        "bench-raw-" + round, shape)) {
      CpuAccounting.Snapshot phase = cpu.snapshot();
      ThroughputBaselines.Result result = ThroughputBaselines.run(
          new ClaimBaseline(claimDb, batch), workers, producer, RAW, (round - 1) * events, events);
      report.baselines(round, result, cpu.since(phase));
    }
  }

  private static LatencyResult relayLatency(BenchServers servers, DatabaseUrl db,
      EventShape shape, BenchOptions options, double rate) throws Exception {
    int capacity = (int) (rate * (options.latencyWarmupSeconds() + options.latencySeconds())) + 1;
    Pool pool = new Database(db).pool(servers.vertx, 8);
    LatencyRun.Written written = LatencyRun.write(servers.vertx, pool, shape, LATENCY, rate,
        options.latencyWarmupSeconds(), options.latencySeconds(), options.tickMillis());
    AppendTimes appends = AppendTimes.start(servers.bootstrap(), LATENCY, "lat", capacity);
    long[] appendMillis = appends.finish(written.events(), Duration.ofSeconds(60));
    Blocking.await(pool.close(), Duration.ofSeconds(10));
    long[] missing = new long[1];
    Histogram histogram = LatencyRun.latencies(written, appendMillis, missing);
    return new LatencyResult(histogram, null, written.events(), written.transactions(),
        written.failed(), missing[0], appends.duplicates());
  }

  private static LatencyResult rawLatency(BenchServers servers, ProducerBaseline raw,
      BenchOptions options, double rate) throws Exception {
    int capacity = (int) (rate * (options.latencyWarmupSeconds() + options.latencySeconds())) + 2;
    Recorder acks = new Recorder(3);
    long[] sentMillis = new long[capacity];
    long sent = raw.paced(RAW_LATENCY, rate, options.latencyWarmupSeconds(),
        options.latencySeconds(), options.tickMillis(), acks, sentMillis);
    AppendTimes appends = AppendTimes.start(servers.bootstrap(), RAW_LATENCY, "raw-paced",
        capacity);
    long[] appendMillis = appends.finish(sent, Duration.ofSeconds(60));
    Histogram toAppend = new Histogram(3_600_000_000L, 3);
    long missing = 0;
    long measureFrom = (long) (rate * options.latencyWarmupSeconds());
    for (int n = (int) measureFrom; n < sent; n++) {
      if (appendMillis[n] < 0) {
        missing++;
      } else {
        toAppend.recordValue(Math.max(0, appendMillis[n] - sentMillis[n]) * 1000);
      }
    }
    return new LatencyResult(toAppend, acks.getIntervalHistogram(), sent, sent, 0, missing,
        appends.duplicates());
  }

  private static void memoryCheck(BenchServers servers, EventShape shape, BenchOptions options,
      Map<String, String> env, Path logs, Report report, CpuAccounting cpu) throws Exception {
    long events = options.memoryCheckEvents();
    step("memory check: pre-loading " + events + " events");
    DatabaseUrl db = servers.database("bench_memory");
    long t0 = System.nanoTime();
    Backlog.load(db, shape, MEMORY, 0, events);
    Backlog.settle(db);
    double preload = (System.nanoTime() - t0) / 1e9;
    report.waited(cpu.awaitQuiet(QUIET_WAIT_SECONDS));
    step("memory check: relay draining " + events + " events (-Xmx" + options.relayHeap() + ")");
    try (RelayProcess relay = RelayProcess.start(options.serviceClasspath(), options.relayHeap(),
        db, servers.bootstrap(), env, logs, "relay-memory")) {
      cpu.own(relay.pid(), "relay JVM");
      relay.awaitStarted(120);
      CpuAccounting.Snapshot phase = cpu.snapshot();
      DrainRun.Result drain = DrainRun.measure(relay, db, servers.admin, MEMORY, events,
          Math.max(900, events / 400));
      report.memoryCheck(preload, drain, relay.heap(-1), relay.peakRssKb(), cpu.since(phase));
    }
  }

  /**
   * One latency distribution: {@code toAck} when measured at the producer (send to callback),
   * {@code toAppend} when read from the broker's append time.
   */
  record LatencyResult(Histogram toAppend, Histogram toAck, long events, long transactions,
      long failed, long missing, long duplicates) {}

  static void step(String what) {
    System.out.printf("%s  %s%n", LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_TIME)
        .substring(0, 8), what);
  }

  private static void join(Thread thread) {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
