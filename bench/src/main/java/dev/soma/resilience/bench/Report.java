package dev.soma.resilience.bench;

import dev.soma.resilience.config.ServiceConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * Collects the benchmark's numbers as they come and renders them as Markdown: each measurement
 * next to its same-run baseline, the ratio, and whether issue 14's goal is met.
 */
final class Report {

  /** One latency rate: the relay's phase and the raw producer's at the same rate. */
  record LatencyPoint(double rate, LatencyRun.Result relay, LatencyRun.Result raw,
      double relayTransactionsPerSecond) {
    double overAck() {
      return ms(relay.toAppend(), 99) - ms(raw.toAck(), 99);
    }

    double overAppend() {
      return ms(relay.toAppend(), 99) - ms(raw.toAppend(), 99);
    }
  }

  /** The relay's memory in one run. */
  private record Memory(String run, long events, ChildJvm.Heap heap, long rssKb,
      DrainRun.Result drain) {}

  private final BenchOptions options;
  private final ServiceConfig config;
  private final int batch;
  private final int workers;
  private final Path logs;
  private final LocalDateTime started = LocalDateTime.now();
  private String postgresVersion = "?";
  private double waitedSeconds;
  private final List<ShapeDrain.Result> shapes = new ArrayList<>();
  private CrashRecovery.Result crash;
  private final List<LatencyPoint> latency = new ArrayList<>();
  private final List<Memory> memory = new ArrayList<>();
  private double memoryPreloadSeconds;
  private final Map<String, CpuAccounting.Usage> cpu = new LinkedHashMap<>();
  private ReplayLatency.Result replay;

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

  void waited(double seconds) {
    waitedSeconds += seconds;
  }

  void cpu(String phase, CpuAccounting.Usage usage) {
    cpu.put(phase, usage);
  }

  /** What {@code phase} used of the CPUs, or null if it was not measured. */
  CpuAccounting.Usage cpuOf(String phase) {
    return cpu.get(phase);
  }

  void shape(ShapeDrain.Result result) {
    shapes.add(result);
    memory.add(new Memory("drain " + result.shape(), result.drain().events(), result.heap(),
        result.rssKb(), result.drain()));
    System.out.printf("  %s: %.2f of min(a, b)%n", result.shape(), result.ratio());
  }

  void crash(CrashRecovery.Result result) {
    crash = result;
    System.out.printf("  kill to first taken-over row published %.1f s, to the last %.1f s%n",
        result.firstSeconds(), result.lastSeconds());
  }

  void latency(LatencyPoint point) {
    latency.add(point);
    System.out.printf("  %,.0f/s: relay commit-to-ack p50 %.1f, p99 %.1f ms; raw producer"
        + " send-to-ack p99 %.1f ms%n", point.rate(), ms(point.relay().toAppend(), 50),
        ms(point.relay().toAppend(), 99), ms(point.raw().toAck(), 99));
  }

  void replay(ReplayLatency.Result result) {
    replay = result;
    ReplayReport.print(result);
  }

  void latencyRelayMemory(ChildJvm.Heap heap, long rssKb) {
    memory.add(new Memory("latency phases", 0, heap, rssKb, null));
  }

  void memoryCheck(double preload, DrainRun.Result result, ChildJvm.Heap heap, long rssKb) {
    memoryPreloadSeconds = preload;
    memory.add(new Memory("memory check " + options.memoryShape(), result.events(), heap, rssKb,
        result));
    System.out.printf("  memory check %s: %,.0f/s, heap peak %d MiB, after GC %d MiB%n",
        result.outcome(), result.rate(), heap.peakUsedMb(), heap.peakAfterGcMb());
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
    line(md, "Backlogs: %,d events per shape (tenants x partition keys per tenant), written by"
        + " plain INSERTs, %d row(s) per transaction; payload ~%d B JSON; %d partitions. Relay:"
        + " batch %d, %d batches in flight, lease %d s, linger %d ms, %s, -Xmx%s, own JVM.",
        options.events(), options.rowsPerTransaction(), options.payloadBytes(),
        options.partitions(), batch, config.outbox().maxInFlightBatches(),
        config.outbox().lease().toSeconds(), config.kafka().lingerMs(),
        config.kafka().compressionType(), options.relayHeap());
    line(md, "");
    if (!shapes.isEmpty()) {
      renderShapes(md);
    }
    if (crash != null) {
      renderCrash(md);
    }
    if (!latency.isEmpty()) {
      renderLatency(md);
    }
    if (replay != null) {
      ReplayReport.render(md, replay, options, this);
    }
    renderMemory(md);
    renderCpu(md);
    return md.toString();
  }

  private void renderShapes(StringBuilder md) {
    line(md, "## Drain throughput by backlog shape");
    line(md, "");
    line(md, "| shape | (a) claim-and-mark alone, events/s | (b) producer alone, events/s |"
        + " relay drain | relay events/s | ratio to min(a, b) | steady events/s | CPU µs/event"
        + " (a)+(b) vs relay |");
    line(md, "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |");
    List<String> missed = new ArrayList<>();
    List<String> phases = new ArrayList<>();
    for (ShapeDrain.Result s : shapes) {
      ThroughputBaselines.Result b = s.baselines();
      line(md, "| %s | %,.0f (%,.0f / %,.0f) | %,.0f (%,.0f / %,.0f) | %s | %,.0f | **%.2f** |"
          + " %,.0f | %s |", s.shape(), b.claimRate(), s.round1().claimRate(),
          s.round2().claimRate(), b.producerRate(), s.round1().producerRate(),
          s.round2().producerRate(), s.drain().outcome(), s.drain().rate(), s.ratio(),
          s.drain().steadyRate(), cpuCost(s));
      if (s.ratio() < 0.70) {
        missed.add(s.shape().toString());
      }
      phases.addAll(List.of(s.phase("baselines round 1"), s.phase("relay drain"),
          s.phase("baselines round 2")));
    }
    line(md, "");
    line(md, "(a) and (b) ran together, in two rounds per shape (before and after the relay's"
        + " drain; in parentheses), %d claim workers of batch %d and one producer; each rate"
        + " is taken over the time both ran. (a) claims the shape's own rows, but with its own"
        + " simple claim (`ORDER BY id LIMIT %d FOR UPDATE SKIP LOCKED`), which does not keep"
        + " per-key order: a hot key costs it nothing. (b) sends the shape's keys, so one key"
        + " means one partition. A drain not finished within --drain-timeout=%d s is rated by"
        + " what it published in that time.", workers, batch, batch,
        options.drainTimeoutSeconds());
    line(md, "");
    for (ShapeDrain.Result s : shapes) {
      line(md, "- %s: backlogs written in %.1f s; relay JVM start-up %.1f s; %s.", s.shape(),
          s.preloadSeconds(), s.drain().startupSeconds(), s.drain().finished()
              ? s.duplicates() + " record(s) sent more than once"
              : "duplicates not counted (drain unfinished)");
    }
    line(md, "");
    line(md, "Goal: drain >= 0.70 of min(a, b) in every shape: **%s**%s%s.",
        missed.isEmpty() ? "met" : "missed", missed.isEmpty() ? "" : " (" + String.join(", ",
            missed) + ")", disturbance(phases.toArray(String[]::new)));
    line(md, "");
  }

  private String cpuCost(ShapeDrain.Result s) {
    CpuAccounting.Usage r1 = cpu.get(s.phase("baselines round 1"));
    CpuAccounting.Usage r2 = cpu.get(s.phase("baselines round 2"));
    CpuAccounting.Usage relay = cpu.get(s.phase("relay drain"));
    if (r1 == null || r2 == null || relay == null || Double.isNaN(relay.ourSeconds())
        || s.drain().published() == 0) {
      return "";
    }
    double baseline = (r1.ourSeconds() + r2.ourSeconds()) / 2 / options.events() * 1e6;
    double relayCost = relay.ourSeconds() / s.drain().published() * 1e6;
    return String.format(Locale.ROOT, "%.0f vs %.0f", baseline, relayCost);
  }

  private void renderCrash(StringBuilder md) {
    CrashRecovery.Result c = crash;
    line(md, "## Crash recovery (SIGKILL of one of two relays)");
    line(md, "");
    line(md, "Two relay JVMs drained a %,d-event %s backlog together; one was killed with SIGKILL"
        + " when %,d records were acknowledged. It held %,d rows leased (lease %d s, the"
        + " default); %,d of them it still marked itself (statements begun before the kill),"
        + " the other relay (the successor, running all along) marked %,d.", c.events(), c.shape(),
        c.acknowledgedAtKill(), c.leased(), c.leaseSeconds(), c.markedByKilled(),
        c.takenOver());
    line(md, "");
    line(md, "| measurement | seconds |");
    line(md, "| --- | ---: |");
    line(md, "| SIGKILL to the first of its leased rows published by the successor | %s |",
        seconds(c.firstSeconds()));
    line(md, "| SIGKILL to the last of them | %s |", seconds(c.lastSeconds()));
    line(md, "| for comparison: the lease (`leaseSeconds`), what a takeover waits for when leases"
        + " outlive their relay | %d |", c.leaseSeconds());
    line(md, "");
    line(md, "At the end %,d of %,d events were published (%s), %d record(s) sent more than"
        + " once. Goal: first taken-over row within 5 s: **%s**%s.", c.published(), c.events(),
        c.published() == c.events() ? "none lost" : "**not all**", c.duplicates(),
        c.firstSeconds() <= 5 ? "met" : "missed", disturbance("crash recovery"));
    line(md, "");
  }

  private static String seconds(double value) {
    return Double.isNaN(value) ? "not within the time limit"
        : String.format(Locale.ROOT, "%.1f", value);
  }

  private void renderLatency(StringBuilder md) {
    line(md, "## Commit-to-ack latency at fixed rates (%s shape)", options.latencyShape());
    line(md, "");
    line(md, "| events/s | relay p50 / p90 / p99 / max ms | raw producer p99 ms, send to ack /"
        + " to append | relay p99 over raw | goal (+10 ms) |");
    line(md, "| ---: | --- | --- | ---: | --- |");
    for (LatencyPoint p : latency) {
      Histogram r = p.relay().toAppend();
      double over = Math.max(p.overAck(), p.overAppend());
      line(md, "| %,.0f | %.1f / %.1f / %.1f / %.1f | %.1f / %.1f | %+.1f | **%s**%s |",
          p.rate(), ms(r, 50), ms(r, 90), ms(r, 99), r.getMaxValue() / 1000.0,
          ms(p.raw().toAck(), 99), ms(p.raw().toAppend(), 99), over,
          over <= 10 ? "met" : "missed", disturbance(latencyPhase(p.rate(), "relay"),
              latencyPhase(p.rate(), "raw producer")));
    }
    line(md, "");
    line(md, "Each rate: a writer enqueues through `Outbox.enqueueAll`, committing every %d ms,"
        + " for %d s (+%d s warm-up, not counted) while one relay JVM publishes; then the raw"
        + " producer sends at the same rate and pacing. Relay latency is commit to broker append"
        + " time; \"over raw\" is the larger of the two differences of p99.", options.tickMillis(),
        options.latencySeconds(), options.latencyWarmupSeconds());
    line(md, "");
    for (LatencyPoint p : latency) {
      LatencyRun.Result r = p.relay();
      line(md, "- %,.0f/s: %,d events in %,d transactions; %d failed, %d never arrived, %d"
          + " duplicates; PostgreSQL committed %,.0f transactions/s in the outbox's database"
          + " (writer and relay).", p.rate(), r.events(), r.transactions(), r.failed(),
          r.missing(), r.duplicates(), p.relayTransactionsPerSecond());
    }
    line(md, "");
  }

  static String latencyPhase(double rate, String who) {
    return String.format(Locale.ROOT, "latency %.0f/s: %s", rate, who);
  }

  private void renderMemory(StringBuilder md) {
    line(md, "## Relay memory (-Xmx%s)", options.relayHeap());
    line(md, "");
    line(md, "| run | backlog | drain | heap peak used MiB | heap peak after GC MiB | GCs |"
        + " RSS peak MiB |");
    line(md, "| --- | ---: | --- | ---: | ---: | ---: | ---: |");
    Memory check = null;
    for (Memory m : memory) {
      line(md, "| %s | %s | %s | %d | %d | %d | %d |", m.run(),
          m.events() > 0 ? String.format(Locale.ROOT, "%,d", m.events()) : "",
          m.drain() == null ? "" : m.drain().outcome() + String.format(Locale.ROOT, ", %,.0f/s",
              m.drain().rate()), m.heap().peakUsedMb(), m.heap().peakAfterGcMb(),
          m.heap().collections(), m.rssKb() / 1024);
      if (m.run().startsWith("memory check")) {
        check = m;
      }
    }
    line(md, "");
    if (check != null) {
      line(md, "Memory check: %,d events of %s written in %.1f s. Goal: the backlog drains within"
          + " -Xmx%s: **%s** (%s; live heap after GC at most %d MiB).", check.events(),
          options.memoryShape(), memoryPreloadSeconds, options.relayHeap(),
          check.drain().finished() ? "met" : "not shown", check.drain().outcome(),
          check.heap().peakAfterGcMb());
      line(md, "");
    }
  }

  /** A warning when other processes used over 10% of the CPUs in any of {@code phases}. */
  String disturbance(String... phases) {
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

  private void renderCpu(StringBuilder md) {
    line(md, "## CPU use per phase (share of all %d cores)", Runtime.getRuntime()
        .availableProcessors());
    line(md, "");
    line(md, "Phases waited %.0f s in all for other processes to quiet down before starting.",
        waitedSeconds);
    line(md, "");
    Set<String> parts = new LinkedHashSet<>();
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

  static double ms(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1000.0;
  }

  static void line(StringBuilder md, String format, Object... args) {
    md.append(String.format(Locale.ROOT, format, args)).append('\n');
  }
}
