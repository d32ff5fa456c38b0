package dev.soma.resilience.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The cluster benchmark (issue 15, see docs/PERFORMANCE.md, "Issue 15: several nodes"): the
 * drain of one backlog shape by 1, 2 and 3 relay JVMs ({@link RelayScaling}), and {@code POST
 * /v1/conversations/{id}/messages} against 1 and 2 clustered service nodes ({@link ApiScaling}),
 * all on one embedded PostgreSQL and one Kafka broker (in a JVM of its own, so that its CPU is
 * counted apart), with each process group's CPU per event or request. Each measured run waits
 * for the 1-minute load average to drop under {@value ClusterRun#QUIET_LOAD} first. Prints a
 * Markdown summary and writes it to {@code bench/results/<timestamp>-cluster.md}.
 */
public final class ClusterBenchmark {

  private ClusterBenchmark() {}

  public static void main(String[] args) throws Exception {
    ClusterOptions options;
    try {
      options = ClusterOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage() + " (see docs/PERFORMANCE.md)");
      System.exit(2);
      return;
    }
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path logs = Path.of("target", "bench", "run-" + stamp + "-cluster");
    SuiteReport report = new SuiteReport("cluster", "Cluster benchmark (issue 15)");
    CpuAccounting cpu = new CpuAccounting();
    long start = System.nanoTime();
    OutboxBenchmark.step("PostgreSQL, and Kafka in its own JVM");
    try (BenchServers servers = BenchServers.startWithBrokerJvm(options.partitions(),
        options.brokerHeap(), logs)) {
      cpu.own(servers.postmasterPid(), ClusterRun.POSTGRES);
      cpu.own(servers.kafkaPid(), ClusterRun.KAFKA);
      ClusterRun run = new ClusterRun(servers, options, logs, cpu);
      List<RelayScaling.Result> drains =
          options.relays().isEmpty() ? List.of() : RelayScaling.run(run);
      List<ApiScaling.Result> apis = options.nodes().isEmpty() ? List.of() : ApiScaling.run(run);
      ClusterReport.render(report, options, postgresVersion(servers), drains, apis,
          (System.nanoTime() - start) / 1e9, logs);
    }
    report.write(options.resultsDir());
  }

  private static String postgresVersion(BenchServers servers) throws Exception {
    try (Connection c = BenchServers.connect(servers.postgres.url());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW server_version")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
