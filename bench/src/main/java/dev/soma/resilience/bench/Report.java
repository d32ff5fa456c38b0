package dev.soma.resilience.bench;

import dev.soma.resilience.bench.OutboxBenchmark.LatencyResult;
import dev.soma.resilience.config.ServiceConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * Collects the benchmark's numbers as they come and renders them as Markdown: each measurement
 * next to its baseline, the ratio, and whether the goal is met.
 */
final class Report {

  private final BenchOptions options;
  private final ServiceConfig config;
  private final int batch;
  private final int workers;
  private final Path logs;
  private final LocalDateTime started = LocalDateTime.now();
  private String postgresVersion = "?";
  private double preloadSeconds;
  private ThroughputBaselines.Result baselines;
  private ThroughputBaselines.Result round1;
  private ThroughputBaselines.Result round2;
  private double waitedSeconds;
  private double relayTransactionsPerSecond;
  private DrainRun.Result drain;
  private long drainDuplicates;
  private RelayProcess.Heap drainHeap;
  private long drainRssKb;
  private double latencyRate;
  private LatencyResult relayLatency;
  private LatencyResult rawLatency;
  private RelayProcess.Heap relayHeapTotal;
  private long relayRssTotalKb;
  private double memoryPreloadSeconds;
  private DrainRun.Result memoryDrain;
  private RelayProcess.Heap memoryHeap;
  private long memoryRssKb;
  private final java.util.Map<String, CpuAccounting.Usage> cpu = new java.util.LinkedHashMap<>();

  Report(BenchOptions options, ServiceConfig config, int batch, int workers, Path logs) {
    this.options = options;
    this.config = config;
    this.batch = batch;
    this.workers = workers;
    this.logs = logs;
  }

  void servers(BenchServers servers) throws Exception {
    try (Connection c = BenchServers.connect(servers.postgres.url());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW server_version")) {
      rs.next();
      postgresVersion = rs.getString(1);
    }
  }

  void preload(double seconds) {
    preloadSeconds = seconds;
  }

  void waited(double seconds) {
    waitedSeconds += seconds;
  }

  void baselines(int round, ThroughputBaselines.Result result, CpuAccounting.Usage usage) {
    if (round == 1) {
      round1 = result;
      baselines = result;
    } else {
      round2 = result;
      baselines = ThroughputBaselines.mean(round1, round2);
    }
    cpu.put("baselines (a) + (b), round " + round, usage);
    System.out.printf("  (a) claim-and-mark %,.0f/s, (b) raw producer %,.0f/s (together %.1f s)%n",
        result.claimRate(), result.producerRate(), result.overlapSeconds());
  }

  void drain(DrainRun.Result result, long duplicates, RelayProcess.Heap heap, long rssKb,
      CpuAccounting.Usage usage) {
    drain = result;
    cpu.put("relay drain", usage);
    drainDuplicates = duplicates;
    drainHeap = heap;
    drainRssKb = rssKb;
    System.out.printf("  relay drained %,d in %.1f s: %,.0f/s (steady %,.0f/s), %.2f of the"
        + " smaller baseline%n", result.events(), result.seconds(), result.rate(),
        result.steadyRate(), result.rate() / baselines.smaller());
  }

  void latency(double rate, LatencyResult result, CpuAccounting.Usage usage) {
    latencyRate = rate;
    cpu.put("relay latency", usage);
    relayLatency = result;
    System.out.printf("  relay commit-to-ack p50 %.1f ms, p99 %.1f ms%n",
        ms(result.toAppend(), 50), ms(result.toAppend(), 99));
  }

  double latencyRate() {
    return latencyRate;
  }

  void relayTotals(RelayProcess.Heap heap, long rssKb) {
    relayHeapTotal = heap;
    relayRssTotalKb = rssKb;
  }

  void rawLatency(LatencyResult result, CpuAccounting.Usage usage) {
    rawLatency = result;
    cpu.put("raw producer latency", usage);
    System.out.printf("  raw producer send-to-ack p50 %.1f ms, p99 %.1f ms%n",
        ms(result.toAck(), 50), ms(result.toAck(), 99));
  }

  void memoryCheck(double preload, DrainRun.Result result, RelayProcess.Heap heap, long rssKb,
      CpuAccounting.Usage usage) {
    memoryPreloadSeconds = preload;
    cpu.put("memory check drain", usage);
    memoryDrain = result;
    memoryHeap = heap;
    memoryRssKb = rssKb;
    System.out.printf("  relay drained %,d in %.1f s (%,.0f/s), heap peak %d MiB, after GC %d MiB%n",
        result.events(), result.seconds(), result.rate(), heap.peakUsedMb(), heap.peakAfterGcMb());
  }

  /** Prints the summary and writes it to {@code <resultsDir>/<timestamp>.md}. */
  void write() throws IOException {
    String text = render();
    System.out.println();
    System.out.println(text);
    Files.createDirectories(options.resultsDir());
    Path file = options.resultsDir().resolve(
        started.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".md");
    Files.writeString(file, text);
    System.out.println("written to " + file + " (relay logs in " + logs + ")");
  }

  private String render() {
    StringBuilder md = new StringBuilder();
    line(md, "# Outbox benchmark, %s", started.format(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
        .substring(0, 16));
    line(md, "");
    line(md, "Machine: %d cores (%s), %s GiB memory; Java %s; PostgreSQL %s (embedded, zonky),"
        + " Kafka 4.1.1 (embedded KRaft, 1 node).", Runtime.getRuntime().availableProcessors(),
        Machine.cpuModel(), Machine.memoryGib(), System.getProperty("java.version"),
        postgresVersion);
    line(md, "Backlog: %,d events, %d tenants x %d aggregates, payload ~%d B JSON, %d partitions."
        + " Relay: batch %d, %d batches in flight, linger %d ms, %s, -Xmx%s, own JVM.",
        options.events(), options.tenants(), options.aggregatesPerTenant(),
        options.payloadBytes(), options.partitions(), batch, config.outbox().maxInFlightBatches(),
        config.kafka().lingerMs(), config.kafka().compressionType(), options.relayHeap());
    line(md, "Pre-load of both databases: %.1f s.", preloadSeconds);
    line(md, "");
    line(md, "## Drain throughput");
    line(md, "");
    line(md, "| measurement | events/s | ratio |");
    line(md, "| --- | ---: | ---: |");
    line(md, "| (a) PostgreSQL claim-and-mark alone, batch %d, %d workers | %,.0f | rounds: %,.0f"
        + " and %,.0f |", batch, workers, baselines.claimRate(), round1.claimRate(),
        round2.claimRate());
    line(md, "| (b) Kafka producer alone, same settings and record shape | %,.0f | rounds: %,.0f"
        + " and %,.0f |", baselines.producerRate(), round1.producerRate(), round2.producerRate());
    line(md, "| relay drain, started to last row published | %,.0f | **%.2f** of min(a, b) |",
        drain.rate(), drain.rate() / baselines.smaller());
    line(md, "| relay drain, steady state (10th to 90th percentile row) | %,.0f | %.2f |",
        drain.steadyRate(), drain.steadyRate() / baselines.smaller());
    line(md, "");
    line(md, "(a) and (b) ran together in two rounds, before and after the relay's drain, for"
        + " %.1f s each on average; the table gives the mean of the rounds' rates over the time"
        + " both ran. Alone to the end they averaged %,.0f/s and %,.0f/s. The relay drained %,d"
        + " events in %.1f s after a"
        + " %.1f s JVM start-up; %d record(s) were sent more than once.",
        baselines.overlapSeconds(), baselines.claimSoloRate(), baselines.producerSoloRate(),
        drain.events(), drain.seconds(), drain.startupSeconds(), drainDuplicates);
    line(md, "");
    line(md, "Goal: drain >= 0.70 of the smaller baseline: **%s** (%.2f)%s.",
        drain.rate() / baselines.smaller() >= 0.70 ? "met" : "missed",
        drain.rate() / baselines.smaller(), disturbance("baselines (a) + (b), round 1",
            "relay drain", "baselines (a) + (b), round 2"));
    line(md, "");
    renderCpuCost(md);
    renderLatency(md);
    renderMemory(md);
    renderCpu(md);
    return md.toString();
  }

  private void renderLatency(StringBuilder md) {
    line(md, "## Commit-to-ack latency at %,.0f events/s (%s)", latencyRate,
        options.latencyRate() > 0 ? "--latency-rate" : "half the relay's steady rate");
    line(md, "");
    line(md, "| measurement | p50 ms | p90 ms | p99 ms | max ms | events |");
    line(md, "| --- | ---: | ---: | ---: | ---: | ---: |");
    latencyRow(md, "relay: writer's commit to broker append", relayLatency.toAppend());
    latencyRow(md, "raw producer: send() to ack callback", rawLatency.toAck());
    latencyRow(md, "raw producer: send() to broker append", rawLatency.toAppend());
    line(md, "");
    double vsAck = ms(relayLatency.toAppend(), 99) - ms(rawLatency.toAck(), 99);
    double vsAppend = ms(relayLatency.toAppend(), 99) - ms(rawLatency.toAppend(), 99);
    line(md, "Writer: %,d events in %,d transactions over %d s (+%d s warm-up, not counted),"
        + " committed every %d ms through `Outbox.enqueueAll`; %d failed, %d never arrived, %d"
        + " duplicates.", relayLatency.events(), relayLatency.transactions(),
        options.latencySeconds(), options.latencyWarmupSeconds(), options.tickMillis(),
        relayLatency.failed(), relayLatency.missing(), relayLatency.duplicates());
    line(md, "");
    line(md, "Goal: relay p99 at most 10 ms above the raw producer's p99: **%s** (%+.1f ms against"
        + " send-to-ack, %+.1f ms against send-to-append)%s.",
        Math.max(vsAck, vsAppend) <= 10 ? "met" : "missed", vsAck, vsAppend,
        disturbance("relay latency", "raw producer latency"));
    line(md, "");
    line(md, "PostgreSQL committed %,.0f transactions/s in the outbox's database during the relay's"
        + " latency phase (the writer's are %,.0f/s; the rest are the relay's claims and"
        + " settlements).", relayTransactionsPerSecond,
        relayLatency.transactions() / (double) (options.latencySeconds()
            + options.latencyWarmupSeconds()));
    line(md, "");
  }

  private void renderMemory(StringBuilder md) {
    line(md, "## Relay memory (-Xmx%s)", options.relayHeap());
    line(md, "");
    line(md, "| run | backlog | heap peak used MiB | heap peak after GC MiB | GCs | RSS peak MiB |"
        + " drain events/s |");
    line(md, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    memoryRow(md, "drain", options.events(), drainHeap, drainRssKb, drain.rate());
    memoryRow(md, "drain + latency phase", options.events(), relayHeapTotal, relayRssTotalKb, 0);
    if (memoryDrain != null) {
      memoryRow(md, "memory check drain", memoryDrain.events(), memoryHeap, memoryRssKb,
          memoryDrain.rate());
      line(md, "");
      boolean flat = memoryHeap.peakAfterGcMb() <= drainHeap.peakAfterGcMb() * 1.5 + 16;
      line(md, "Memory check: %,d events pre-loaded in %.1f s and drained in %.1f s. Goal: a"
          + " %,d-event backlog drains within a %s heap and memory does not grow with the"
          + " backlog: **%s** (live heap after GC %d MiB at %,d vs %d MiB at %,d events).",
          memoryDrain.events(), memoryPreloadSeconds, memoryDrain.seconds(),
          memoryDrain.events(), options.relayHeap(), flat ? "met" : "missed",
          memoryHeap.peakAfterGcMb(), memoryDrain.events(), drainHeap.peakAfterGcMb(),
          options.events());
    }
    line(md, "");
  }

  /**
   * CPU time per event, which other load on the machine disturbs far less than wall-clock rates:
   * a baseline round does the two halves of the relay's work (claim-and-mark, and send) for
   * {@code events} events each.
   */
  private void renderCpuCost(StringBuilder md) {
    CpuAccounting.Usage r1 = cpu.get("baselines (a) + (b), round 1");
    CpuAccounting.Usage r2 = cpu.get("baselines (a) + (b), round 2");
    CpuAccounting.Usage relay = cpu.get("relay drain");
    if (r1 == null || r2 == null || relay == null || Double.isNaN(relay.ourSeconds())) {
      return;
    }
    double baseline = (r1.ourSeconds() + r2.ourSeconds()) / 2 / options.events() * 1e6;
    double relayCost = relay.ourSeconds() / options.events() * 1e6;
    line(md, "CPU time per event of the benchmark's processes (PostgreSQL, Kafka broker, clients;"
        + " less sensitive to other load than the rates): (a) + (b) together %.0f µs, relay"
        + " drain %.0f µs, ratio %.2f.", baseline, relayCost, baseline / relayCost);
    line(md, "");
  }

  /** A warning when other processes used over 10% of the CPUs in any of {@code phases}. */
  private String disturbance(String... phases) {
    StringBuilder warning = new StringBuilder();
    for (String phase : phases) {
      CpuAccounting.Usage usage = cpu.get(phase);
      if (usage != null && usage.others() > 0.10) {
        warning.append(warning.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT,
            "%.0f%% during %s", usage.others() * 100, phase));
      }
    }
    return warning.length() == 0 ? "" : " — **not conclusive**: other processes used " + warning;
  }

  void relayTransactions(double perSecond) {
    relayTransactionsPerSecond = perSecond;
  }

  private void renderCpu(StringBuilder md) {
    line(md, "## CPU use per phase (share of all %d cores)", Runtime.getRuntime()
        .availableProcessors());
    line(md, "");
    line(md, "Phases waited %.0f s in all for other processes to quiet down before starting.",
        waitedSeconds);
    line(md, "");
    java.util.Set<String> parts = new java.util.LinkedHashSet<>();
    cpu.values().forEach(usage -> parts.addAll(usage.parts().keySet()));
    StringBuilder header = new StringBuilder("| phase | benchmark's processes |");
    StringBuilder rule = new StringBuilder("| --- | ---: |");
    for (String part : parts) {
      header.append(" of which ").append(part).append(" |");
      rule.append(" ---: |");
    }
    line(md, "%s", header.append(" other processes on the machine |"));
    line(md, "%s", rule.append(" ---: |"));
    boolean disturbed = false;
    for (var e : cpu.entrySet()) {
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %s | %.0f%% |",
          e.getKey(), e.getValue().ours() * 100));
      for (String part : parts) {
        Double share = e.getValue().parts().get(part);
        row.append(share == null ? " |" : String.format(Locale.ROOT, " %.0f%% |", share * 100));
      }
      line(md, "%s", row.append(String.format(Locale.ROOT, " %.0f%% |",
          e.getValue().others() * 100)));
      disturbed |= e.getValue().others() > 0.05;
    }
    line(md, "");
    if (disturbed) {
      line(md, "**Other processes used more than 5%% of the CPUs in some phase: those numbers are"
          + " disturbed; run again on a quiet machine.**");
      line(md, "");
    }
  }

  private void latencyRow(StringBuilder md, String name, Histogram h) {
    line(md, "| %s | %.1f | %.1f | %.1f | %.1f | %,d |", name, ms(h, 50), ms(h, 90), ms(h, 99),
        h.getMaxValue() / 1000.0, h.getTotalCount());
  }

  private static void memoryRow(StringBuilder md, String name, long events,
      RelayProcess.Heap heap, long rssKb, double rate) {
    line(md, "| %s | %,d | %d | %d | %d | %d | %s |", name, events, heap.peakUsedMb(),
        heap.peakAfterGcMb(), heap.collections(), rssKb / 1024,
        rate > 0 ? String.format(Locale.ROOT, "%,.0f", rate) : "");
  }

  static double ms(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1000.0;
  }

  private static void line(StringBuilder md, String format, Object... args) {
    md.append(String.format(Locale.ROOT, format, args)).append('\n');
  }
}
