package dev.soma.resilience.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The benchmark's knobs, from {@code --name=value} arguments. Defaults are issue 14's: a 200k
 * backlog in each of the shapes 1x1, 3x50 and 100x1000, a crash of one of two relays in the
 * middle of a drain, latency at 2,000 and 5,000 events/s, the relay's own batch size, a 256 MiB
 * relay heap, and a 1M backlog of a single key as memory check.
 *
 * @param events backlog size for each shape's drain, and events per baseline round
 * @param shapes the backlog shapes drained, each against its own baselines
 * @param drainTimeoutSeconds how long one drain may take before it is reported as unfinished
 * @param memoryCheckEvents a second, larger backlog drained only to watch memory (0 skips it)
 * @param memoryShape the memory check's backlog shape
 * @param crashEvents backlog of the crash-recovery phase (0 skips it)
 * @param crashShape the crash-recovery phase's backlog shape
 * @param rowsPerTransaction rows per transaction when the backlogs are written
 * @param payloadBytes approximate size of each event's JSON payload
 * @param partitions partitions of every benchmark topic
 * @param batchSize rows per claim, for the relay and baseline (a); 0 = the relay's configured size
 * @param claimWorkers concurrent claim-and-mark loops in baseline (a); 0 = the relay's batches in
 *     flight
 * @param warmupEvents records each baseline handles before it is timed (JIT warm-up)
 * @param latencyRates events per second of the latency phases, one relay and one raw producer
 *     phase each
 * @param latencyShape the shape of the latency phases' events
 * @param latencySeconds measured length of each latency phase
 * @param latencyWarmupSeconds discarded start of each latency phase
 * @param tickMillis how often the paced writers commit or send what is due
 * @param replayRates paces (events/s) of the replay phases, each a replay of the whole history
 *     beside the live load; empty (the default) skips the replay phases
 * @param replayEvents published events of the history a replay puts back
 * @param replayKeys partition keys of the history's one tenant
 * @param replayLiveRate events/s of the live load in the replay phases
 * @param quietWaitSeconds how long a phase waits for other processes to quiet down
 * @param relayHeap the relay JVM's {@code -Xmx}
 * @param serviceClasspath classpath of the service (its classes and runtime dependencies)
 * @param resultsDir where the Markdown summary is written
 */
record BenchOptions(
    int events,
    List<BacklogShape> shapes,
    int drainTimeoutSeconds,
    int memoryCheckEvents,
    BacklogShape memoryShape,
    int crashEvents,
    BacklogShape crashShape,
    int rowsPerTransaction,
    int payloadBytes,
    int partitions,
    int batchSize,
    int claimWorkers,
    int warmupEvents,
    List<Integer> latencyRates,
    BacklogShape latencyShape,
    int latencySeconds,
    int latencyWarmupSeconds,
    int tickMillis,
    List<Integer> replayRates,
    int replayEvents,
    int replayKeys,
    int replayLiveRate,
    int quietWaitSeconds,
    String relayHeap,
    String serviceClasspath,
    Path resultsDir) {

  /** Options of earlier versions, with what replaced them. */
  private static final Map<String, String> REPLACED = Map.of(
      "tenants", "--shape=TENANTSxKEYS (e.g. --shape=100x1000)",
      "aggregates", "--shape=TENANTSxKEYS (e.g. --shape=100x1000)",
      "latency-rate", "--latency-rates=RATE[,RATE...] (e.g. --latency-rates=2000)");

  private static final Set<String> KNOWN = Set.of("events", "shape", "drain-timeout",
      "memory-check-events", "memory-shape", "crash-events", "crash-shape", "rows-per-transaction", "payload-bytes",
      "partitions", "batch-size", "claim-workers", "warmup-events", "latency-rates",
      "latency-shape", "latency-seconds", "latency-warmup-seconds", "tick-ms", "replay-rates", "replay-events", "replay-keys",
      "replay-live-rate", "quiet-wait",
      "relay-heap", "service-classpath", "results-dir");

  static BenchOptions parse(String[] args) {
    Map<String, String> given = new HashMap<>();
    for (String arg : args) {
      if (!arg.startsWith("--") || !arg.contains("=")) {
        throw new IllegalArgumentException("arguments are --name=value, but got '" + arg + "'");
      }
      String[] kv = arg.substring(2).split("=", 2);
      if (REPLACED.containsKey(kv[0])) {
        throw new IllegalArgumentException("--" + kv[0] + " was replaced by " + REPLACED.get(kv[0]));
      }
      if (!KNOWN.contains(kv[0])) {
        throw new IllegalArgumentException("unknown option --" + kv[0]);
      }
      given.put(kv[0], kv[1]);
    }
    BenchOptions options = new BenchOptions(
        number(given, "events", 200_000, 1_000),
        BacklogShape.parseList("shape", given.getOrDefault("shape", "1x1,3x50,100x1000")),
        number(given, "drain-timeout", 300, 10),
        number(given, "memory-check-events", 1_000_000, 0),
        BacklogShape.parse("memory-shape", given.getOrDefault("memory-shape", "1x1")),
        number(given, "crash-events", 200_000, 0),
        BacklogShape.parse("crash-shape", given.getOrDefault("crash-shape", "100x1000")),
        number(given, "rows-per-transaction", 100, 1),
        number(given, "payload-bytes", 400, 50),
        number(given, "partitions", 6, 1),
        number(given, "batch-size", 0, 0),
        number(given, "claim-workers", 0, 0),
        number(given, "warmup-events", 20_000, 0),
        rates("latency-rates", given.getOrDefault("latency-rates", "2000,5000")),
        BacklogShape.parse("latency-shape", given.getOrDefault("latency-shape", "100x1000")),
        number(given, "latency-seconds", 60, 1),
        number(given, "latency-warmup-seconds", 20, 0),
        number(given, "tick-ms", 5, 1),
        rates("replay-rates", given.getOrDefault("replay-rates", "")),
        number(given, "replay-events", 100_000, 1),
        number(given, "replay-keys", 1_000, 1),
        number(given, "replay-live-rate", 2_000, 1),
        number(given, "quiet-wait", 60, 0),
        given.getOrDefault("relay-heap", "256m"),
        given.getOrDefault("service-classpath", System.getProperty("bench.serviceClasspath", "")),
        Path.of(given.getOrDefault("results-dir", "bench/results")));
    if (options.serviceClasspath().isEmpty()) {
      throw new IllegalArgumentException("--service-classpath (or -Dbench.serviceClasspath) is"
          + " required: the relay runs in its own JVM from it; bench/run.sh sets it");
    }
    return options;
  }

  /** Parses {@code 2000,5000} given to {@code option}; an empty list skips its phases. */
  private static List<Integer> rates(String option, String text) {
    List<Integer> rates = new ArrayList<>();
    for (String one : text.split(",")) {
      if (!one.isBlank()) {
        rates.add(number(Map.of(option, one.trim()), option, 0, 1));
      }
    }
    return List.copyOf(rates);
  }

  private static int number(Map<String, String> given, String name, int fallback, int min) {
    String raw = given.get(name);
    if (raw == null) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(raw.replace("_", ""));
      if (value < min) {
        throw new IllegalArgumentException("--" + name + " must be at least " + min
            + ", but was " + value);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a whole number, but was '"
          + raw + "'");
    }
  }
}
