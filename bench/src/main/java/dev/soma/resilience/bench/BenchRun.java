package dev.soma.resilience.bench;

import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.config.DatabaseUrl;
import java.nio.file.Path;
import java.util.Map;

/**
 * What every phase of one outbox benchmark run shares: the servers, the options, the relay's
 * configuration (and the environment that sets it in the relay's JVM), where the relay's logs go,
 * the CPU accounting and the report.
 *
 * @param batch rows per claim, of the relay and of baseline (a)
 * @param workers concurrent loops of baseline (a)
 */
record BenchRun(BenchServers servers, BenchOptions options, ServiceConfig config,
    Map<String, String> env, Path logs, CpuAccounting cpu, Report report, int batch,
    int workers) {

  /** Waits for a quiet machine (see {@link CpuAccounting#awaitQuiet}), then announces the phase. */
  CpuAccounting.Snapshot phase(String what) throws InterruptedException {
    report.waited(cpu.awaitQuiet(options.quietWaitSeconds()));
    OutboxBenchmark.step(what);
    return cpu.snapshot();
  }

  /** Starts a relay JVM on {@code db} with the run's heap and settings, counted as ours. */
  ChildJvm relay(DatabaseUrl db, String name) throws Exception {
    ChildJvm relay = ChildJvm.start(options.serviceClasspath(), options.relayHeap(), db,
        servers.bootstrap(), env, logs, name);
    cpu.own(relay.pid(), "relay JVM");
    return relay;
  }

}
