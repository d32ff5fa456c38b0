package dev.soma.resilience.bench;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What both parts of the cluster suite share: the servers (Kafka in a JVM of its own), the
 * options, where the child JVMs' logs go, and the CPU accounting, in which the benchmark's own
 * JVM, PostgreSQL and Kafka are each a group.
 */
record ClusterRun(BenchServers servers, ClusterOptions options, Path logs, CpuAccounting cpu) {

  /** The 1-minute load average under which a measured run may start. */
  static final double QUIET_LOAD = 0.8;

  static final Duration LOAD_POLL = Duration.ofSeconds(10);

  static final String POSTGRES = "PostgreSQL";
  static final String KAFKA = "Kafka";

  /** {@link CpuAccounting}'s own name for this JVM: the harness (load, Admin client, watching). */
  static final String HARNESS = "benchmark JVM";

  /** Waits for a quiet machine before a measured run (see {@link LoadWait}). */
  LoadWait.Result awaitQuiet() throws InterruptedException {
    return LoadWait.await(cpu, QUIET_LOAD, LOAD_POLL, Duration.ofSeconds(options.maxWaitSeconds()));
  }
}
