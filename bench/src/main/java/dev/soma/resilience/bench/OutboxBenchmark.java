package dev.soma.resilience.bench;

import dev.soma.resilience.config.DatabaseUrl;
import dev.soma.resilience.config.ServiceConfig;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;

/**
 * The outbox benchmark (see docs/PERFORMANCE.md), issue 14's measurements in one run on one
 * machine: for each backlog shape, the relay's drain against the two baselines (PostgreSQL
 * claim-and-mark alone, the Kafka producer alone, at the same time, on the same shape); the time
 * a SIGKILLed relay's rows take to be published by another relay; commit-to-ack latency at fixed
 * rates next to the raw producer's at each rate; live latency while an operator's replay runs
 * ({@link ReplayLatency}, issue 17); and the relay's memory while it drains a large backlog of one
 * key. Prints a Markdown summary and writes it to {@code bench/results/}.
 */
public final class OutboxBenchmark {

  private OutboxBenchmark() {}

  public static void main(String[] args) throws Exception {
    BenchOptions options;
    try {
      options = BenchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage() + " (see docs/PERFORMANCE.md)");
      System.exit(2);
      return;
    }
    Map<String, String> env = new HashMap<>();
    if (options.batchSize() > 0) {
      env.put("SA01_OUTBOX_BATCH_SIZE", Integer.toString(options.batchSize()));
    }
    ServiceConfig config = ServiceConfig.load(env);
    try {
      ReplayLatency.check(options, config.outbox().replay());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    int batch = config.outbox().batchSize();
    int workers = options.claimWorkers() > 0
        ? options.claimWorkers() : config.outbox().maxInFlightBatches();
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path logs = Path.of("target", "bench", "run-" + stamp);
    Report report = new Report(options, config, batch, workers, logs);

    CpuAccounting cpu = new CpuAccounting();
    try (BenchServers servers = BenchServers.start(options.partitions())) {
      report.servers(servers);
      cpu.own(servers.postmasterPid(), "PostgreSQL");
      BenchRun run = new BenchRun(servers, options, config, env, logs, cpu, report, batch,
          workers);
      for (BacklogShape shape : options.shapes()) {
        report.shape(ShapeDrain.run(run, shape));
      }
      if (options.crashEvents() > 0) {
        report.crash(CrashRecovery.run(run));
      }
      if (!options.latencyRates().isEmpty()) {
        latency(run);
      }
      if (!options.replayRates().isEmpty()) {
        report.replay(ReplayLatency.run(run));
      }
      if (options.memoryCheckEvents() > 0) {
        memoryCheck(run);
      }
    }
    report.write();
  }

  /**
   * For each rate: the relay's commit-to-ack (one relay JVM for all rates, on an empty outbox),
   * then the raw producer's at the same rate, so each pair shares the same machine state.
   */
  private static void latency(BenchRun run) throws Exception {
    BenchOptions options = run.options();
    EventShape shape = options.latencyShape().events(options.payloadBytes());
    DatabaseUrl db = run.servers().database("bench_latency");
    try (ChildJvm relay = run.relay(db, "relay-latency");
        ProducerBaseline raw = new ProducerBaseline(run.config().kafka(),
            run.servers().bootstrap(), "bench-raw-latency", shape)) {
      relay.awaitStarted(120);
      for (int rate : options.latencyRates()) {
        String relayTopic = "bench.latency-" + rate;
        String rawTopic = "bench.raw-latency-" + rate;
        run.servers().createTopics(options.partitions(), relayTopic, rawTopic);
        CpuAccounting.Snapshot phase = run.phase("commit-to-ack latency at " + rate
            + " events/s");
        long commits = Backlog.commits(db);
        long start = System.nanoTime();
        LatencyRun.Result relayed = LatencyRun.relay(run.servers(), db, shape, options, rate,
            relayTopic, "lat" + rate);
        run.report().cpu(Report.latencyPhase(rate, "relay"), run.cpu().since(phase));
        Thread.sleep(1000); // backends publish their statistics at most once a second
        double transactions =
            (Backlog.commits(db) - commits) / ((System.nanoTime() - start) / 1e9 - 1);
        // steady state: autovacuum has caught up (see docs/PERFORMANCE.md)
        Backlog.settle(db);
        phase = run.phase("raw producer latency at " + rate + " events/s");
        LatencyRun.Result direct = LatencyRun.raw(run.servers(), raw, options, rate, rawTopic);
        run.report().cpu(Report.latencyPhase(rate, "raw producer"), run.cpu().since(phase));
        run.report().latency(new Report.LatencyPoint(rate, relayed, direct, transactions));
      }
      run.report().latencyRelayMemory(relay.heap(-1), relay.peakRssKb());
    }
  }

  private static void memoryCheck(BenchRun run) throws Exception {
    BenchOptions options = run.options();
    long events = options.memoryCheckEvents();
    String topic = "bench.memory";
    run.servers().createTopics(options.partitions(), topic);
    step("memory check: writing " + events + " events of " + options.memoryShape());
    DatabaseUrl db = run.servers().database("bench_memory");
    long t0 = System.nanoTime();
    Backlog.load(db, options.memoryShape().events(options.payloadBytes()), topic, 0, events,
        options.rowsPerTransaction());
    Backlog.settle(db);
    double preload = (System.nanoTime() - t0) / 1e9;
    run.phase("memory check: relay draining " + events + " events (-Xmx" + options.relayHeap()
        + ", at most " + options.drainTimeoutSeconds() + " s)");
    try (ChildJvm relay = run.relay(db, "relay-memory")) {
      relay.awaitStarted(120);
      CpuAccounting.Snapshot phase = run.cpu().snapshot();
      DrainRun.Result drain = DrainRun.measure(relay, db, run.servers().admin, topic, events,
          options.drainTimeoutSeconds());
      run.report().cpu("memory check drain", run.cpu().since(phase));
      run.report().memoryCheck(preload, drain, relay.heap(-1), relay.peakRssKb());
    }
  }

  static void step(String what) {
    System.out.printf("%s  %s%n", LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_TIME)
        .substring(0, 8), what);
  }
}
