package dev.soma.resilience.bench;

import dev.soma.resilience.config.DatabaseUrl;

/**
 * One backlog shape, measured against its own baselines: the relay drains {@code --events} rows
 * of the shape, and baselines (a) and (b) handle the same shape's events in two rounds, before
 * and after the drain. Baseline (a) claims rows of the same shape, but with its own simple claim
 * (see {@link ClaimBaseline}), which ignores keys; baseline (b) sends the same keys, so a single
 * key lands on a single partition there too.
 */
final class ShapeDrain {

  /**
   * One shape's numbers.
   *
   * @param round1 baselines before the drain
   * @param round2 baselines after it
   * @param duplicates records sent more than once (only meaningful when the drain finished)
   * @param heap the relay JVM's heap over the drain
   * @param rssKb the relay JVM's peak resident memory
   */
  record Result(BacklogShape shape, double preloadSeconds, ThroughputBaselines.Result round1,
      ThroughputBaselines.Result round2, DrainRun.Result drain, long duplicates,
      ChildJvm.Heap heap, long rssKb) {

    ThroughputBaselines.Result baselines() {
      return ThroughputBaselines.mean(round1, round2);
    }

    double ratio() {
      return drain.rate() / baselines().smaller();
    }

    /** The name of one of this shape's phases in the CPU accounting. */
    String phase(String what) {
      return shape + ": " + what;
    }
  }

  private ShapeDrain() {}

  static Result run(BenchRun run, BacklogShape shape) throws Exception {
    BenchOptions options = run.options();
    EventShape events = shape.events(options.payloadBytes());
    String drainTopic = "bench.drain-" + shape;
    String rawTopic = "bench.raw-" + shape;
    String warmupTopic = "bench.warmup-" + shape;
    run.servers().createTopics(options.partitions(), drainTopic, rawTopic, warmupTopic);
    long count = options.events();

    OutboxBenchmark.step(shape + ": writing " + count + " events into the relay's and baseline"
        + " (a)'s databases (plain INSERTs)");
    long t0 = System.nanoTime();
    DatabaseUrl relayDb = run.servers().database("bench_relay_" + shape);
    DatabaseUrl claimDb = run.servers().database("bench_claim_" + shape);
    Backlog.load(relayDb, events, drainTopic, 0, count, options.rowsPerTransaction());
    // two measured rounds, a warm-up, and what workers may claim past their limit
    long claimRows = 2 * count + options.warmupEvents() + 4L * run.workers() * run.batch();
    Backlog.load(claimDb, events, drainTopic, 0, claimRows, options.rowsPerTransaction());
    ClaimBaseline.prepare(claimDb);
    Backlog.settle(relayDb);
    Backlog.settle(claimDb);
    double preload = (System.nanoTime() - t0) / 1e9;

    if (options.warmupEvents() > 0) {
      OutboxBenchmark.step(shape + ": warming up both baselines (" + options.warmupEvents()
          + " events each)");
      try (ProducerBaseline raw = producer(run, events, "bench-warmup-" + shape)) {
        ClaimBaseline warmup = new ClaimBaseline(claimDb, run.batch());
        warmup.start(1, options.warmupEvents()).forEach(ShapeDrain::join);
        raw.flood(warmupTopic, 0, options.warmupEvents());
      }
    }
    ThroughputBaselines.Result round1 = baselines(run, shape, events, claimDb, rawTopic, 1);

    run.phase(shape + ": relay draining " + count
        + " events (own JVM, -Xmx" + options.relayHeap() + ", at most "
        + options.drainTimeoutSeconds() + " s)");
    DrainRun.Result drain;
    long duplicates;
    ChildJvm.Heap heap;
    long rss;
    try (ChildJvm relay = run.relay(relayDb, "relay-drain-" + shape)) {
      relay.awaitStarted(120);
      CpuAccounting.Snapshot phase = run.cpu().snapshot();
      drain = DrainRun.measure(relay, relayDb, run.servers().admin, drainTopic, count,
          options.drainTimeoutSeconds());
      duplicates = DrainRun.endOffset(run.servers().admin, drainTopic) - drain.published();
      heap = relay.heap(relay.uptimeSeconds());
      rss = relay.peakRssKb();
      run.report().cpu(shape + ": relay drain", run.cpu().since(phase));
    }
    System.out.printf("  relay drain %s: %,.0f events/s (steady %,.0f/s)%n", drain.outcome(),
        drain.rate(), drain.steadyRate());

    Backlog.settle(claimDb);
    ThroughputBaselines.Result round2 = baselines(run, shape, events, claimDb, rawTopic, 2);
    return new Result(shape, preload, round1, round2, drain, duplicates, heap, rss);
  }

  /** Baselines (a) and (b) together; round 1 runs before the drain, round 2 after it. */
  private static ThroughputBaselines.Result baselines(BenchRun run, BacklogShape shape,
      EventShape events, DatabaseUrl claimDb, String rawTopic, int round) throws Exception {
    CpuAccounting.Snapshot phase =
        run.phase(shape + ": baselines (a) and (b) at the same time, round " + round);
    long count = run.options().events();
    try (ProducerBaseline producer = producer(run, events, "bench-raw-" + shape + "-" + round)) {
      ThroughputBaselines.Result result = ThroughputBaselines.run(
          new ClaimBaseline(claimDb, run.batch()), run.workers(), producer, rawTopic,
          (round - 1) * count, count);
      run.report().cpu(shape + ": baselines round " + round, run.cpu().since(phase));
      System.out.printf("  (a) claim-and-mark %,.0f/s, (b) raw producer %,.0f/s (together %.1f s)"
          + "%n", result.claimRate(), result.producerRate(), result.overlapSeconds());
      return result;
    }
  }

  private static ProducerBaseline producer(BenchRun run, EventShape events, String clientId) {
    return new ProducerBaseline(run.config().kafka(), run.servers().bootstrap(), clientId, events);
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
