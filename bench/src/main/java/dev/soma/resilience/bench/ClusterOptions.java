package dev.soma.resilience.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The cluster suite's knobs ({@code --name=value}, see docs/PERFORMANCE.md, "Issue 15: several
 * nodes").
 *
 * @param relays relay counts of the drain part, each draining a fresh backlog (empty: skip it)
 * @param events each drain's backlog
 * @param shape its tenants and keys
 * @param nodes API node counts of the API part, ascending: nodes join as the count grows (empty:
 *     skip it)
 * @param concurrency the API client's callers, the same for every node count
 * @param seconds measured length of each API phase
 * @param warmupSeconds unmeasured load before each API phase, once its nodes run
 * @param laterNodeRoles {@code SA01_ROLES} of every node but the first (empty: every role)
 * @param maxWaitSeconds how long a phase waits at most for the load average to drop
 */
record ClusterOptions(List<Integer> relays, int events, BacklogShape shape,
    int rowsPerTransaction, int payloadBytes, int partitions, int drainTimeoutSeconds,
    String relayHeap, List<Integer> nodes, int concurrency, int seconds, int warmupSeconds,
    int conversations, int contentBytes, String laterNodeRoles, String nodeHeap,
    String brokerHeap, int maxWaitSeconds,
    String serviceClasspath, Path resultsDir) {

  static ClusterOptions parse(String[] args) {
    SuiteOptions o = new SuiteOptions(args);
    ClusterOptions options = new ClusterOptions(
        counts(o, "relays", "1,2,3"),
        o.number("events", 100_000, 1_000),
        BacklogShape.parse("shape", o.text("shape", "20x1000")),
        o.number("rows-per-transaction", 100, 1),
        o.number("payload-bytes", 400, 50),
        o.number("partitions", 6, 1),
        o.number("drain-timeout", 300, 10),
        o.text("relay-heap", "256m"),
        counts(o, "nodes", "1,2"),
        o.number("concurrency", 32, 1),
        o.number("seconds", 20, 1),
        o.number("warmup-seconds", 20, 0),
        o.number("conversations", 1000, 1),
        o.number("content-bytes", 200, 1),
        o.text("later-node-roles", ""),
        o.text("node-heap", "512m"),
        o.text("broker-heap", "1g"),
        o.number("max-wait-seconds", 900, 0),
        System.getProperty("bench.serviceClasspath", ""),
        Path.of(o.text("results-dir", "bench/results")));
    o.rejectUnknown();
    if (options.maxWaitSeconds() > 43_200) {
      // a relay held at the claim gate for longer would hand out leases already over
      throw new IllegalArgumentException("--max-wait-seconds must be at most 43200, but was "
          + options.maxWaitSeconds());
    }
    if (options.serviceClasspath().isEmpty()) {
      throw new IllegalArgumentException("-Dbench.serviceClasspath is required: relays and nodes"
          + " run in their own JVMs from it; bench/run.sh sets it");
    }
    return options;
  }

  /** {@code 1,2,3}: distinct counts of at least 1, ascending; empty skips the part. */
  private static List<Integer> counts(SuiteOptions o, String name, String fallback) {
    List<Integer> counts = new ArrayList<>();
    for (String one : o.text(name, fallback).split(",")) {
      if (one.isBlank()) {
        continue;
      }
      int n;
      try {
        n = Integer.parseInt(one.trim());
      } catch (NumberFormatException e) {
        n = 0;
      }
      if (n < 1 || (!counts.isEmpty() && n <= counts.get(counts.size() - 1))) {
        throw new IllegalArgumentException("--" + name + " takes ascending counts of at least 1"
            + " (e.g. " + fallback + "), but got '" + o.text(name, fallback) + "'");
      }
      counts.add(n);
    }
    return List.copyOf(counts);
  }
}
