package dev.soma.resilience.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The benchmark's knobs, from {@code --name=value} arguments. Defaults are the issue's: a 200k
 * backlog, the relay's own batch size, a 256 MiB relay heap, and a 1M backlog memory check.
 *
 * @param events backlog size for the drain and for both baselines
 * @param memoryCheckEvents a second, larger backlog drained only to watch memory (0 skips it)
 * @param tenants distinct tenants in the backlog
 * @param aggregatesPerTenant distinct partition keys per tenant
 * @param payloadBytes approximate size of each event's JSON payload
 * @param partitions partitions of every benchmark topic
 * @param batchSize rows per claim, for the relay and baseline (a); 0 = the relay's configured size
 * @param claimWorkers concurrent claim-and-mark loops in baseline (a); 0 = the relay's batches in
 *     flight
 * @param warmupEvents records each baseline handles before it is timed (JIT warm-up)
 * @param latencySeconds measured length of each latency phase
 * @param latencyWarmupSeconds discarded start of each latency phase
 * @param tickMillis how often the paced writers commit or send what is due
 * @param latencyRate events per second of the latency phases; 0: half the relay's steady drain
 * @param relayHeap the relay JVM's {@code -Xmx}
 * @param serviceClasspath classpath of the service (its classes and runtime dependencies)
 * @param resultsDir where the Markdown summary is written
 */
record BenchOptions(
    int events,
    int memoryCheckEvents,
    int tenants,
    int aggregatesPerTenant,
    int payloadBytes,
    int partitions,
    int batchSize,
    int claimWorkers,
    int warmupEvents,
    int latencySeconds,
    int latencyWarmupSeconds,
    int tickMillis,
    int latencyRate,
    String relayHeap,
    String serviceClasspath,
    Path resultsDir) {

  static BenchOptions parse(String[] args) {
    Map<String, String> given = new HashMap<>();
    for (String arg : args) {
      if (!arg.startsWith("--") || !arg.contains("=")) {
        throw new IllegalArgumentException("arguments are --name=value, but got '" + arg + "'");
      }
      String[] kv = arg.substring(2).split("=", 2);
      given.put(kv[0], kv[1]);
    }
    BenchOptions options = new BenchOptions(
        number(given, "events", 200_000, 1_000),
        number(given, "memory-check-events", 1_000_000, 0),
        number(given, "tenants", 100, 1),
        number(given, "aggregates", 1_000, 1),
        number(given, "payload-bytes", 400, 50),
        number(given, "partitions", 6, 1),
        number(given, "batch-size", 0, 0),
        number(given, "claim-workers", 0, 0),
        number(given, "warmup-events", 20_000, 0),
        number(given, "latency-seconds", 60, 1),
        number(given, "latency-warmup-seconds", 20, 0),
        number(given, "tick-ms", 5, 1),
        number(given, "latency-rate", 0, 0),
        given.getOrDefault("relay-heap", "256m"),
        given.getOrDefault("service-classpath", System.getProperty("bench.serviceClasspath", "")),
        Path.of(given.getOrDefault("results-dir", "bench/results")));
    given.keySet().removeAll(java.util.Set.of("events", "memory-check-events", "tenants",
        "aggregates", "payload-bytes", "partitions", "batch-size", "claim-workers",
        "warmup-events", "latency-seconds", "latency-warmup-seconds", "tick-ms", "latency-rate", "relay-heap",
        "service-classpath", "results-dir"));
    if (!given.isEmpty()) {
      throw new IllegalArgumentException("unknown option(s): " + given.keySet());
    }
    if (options.serviceClasspath().isEmpty()) {
      throw new IllegalArgumentException("--service-classpath (or -Dbench.serviceClasspath) is"
          + " required: the relay runs in its own JVM from it; bench/run.sh sets it");
    }
    return options;
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
