package dev.soma.resilience.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The cluster suite's Markdown: per part, a table of rates and shares and one of CPU seconds per
 * 1,000 events or requests for each process group, every row with its ratio to the first count.
 */
final class ClusterReport {

  private static final int CORES = Runtime.getRuntime().availableProcessors();

  private ClusterReport() {}

  static void render(SuiteReport r, ClusterOptions o, String postgresVersion,
      List<RelayScaling.Result> drains, List<ApiScaling.Result> apis, double runSeconds,
      Path logs) {
    r.line("Servers: PostgreSQL %s (embedded, zonky, its own processes), Kafka 4.1.1 (embedded"
        + " KRaft, one node, in a JVM of its own with -Xmx%s so that its CPU is counted apart);"
        + " %d partitions per topic. CPU time per process group is read from `/proc` (user +"
        + " system, children included): the processes under test, PostgreSQL (postmaster and"
        + " backends), Kafka, and the benchmark's own JVM (the load, the Kafka Admin client that"
        + " watches the drain). Before each measured run the benchmark waited until the 1-minute"
        + " load average was under %.1f (looking every %d s, at most %d s).", postgresVersion,
        o.brokerHeap(), o.partitions(), ClusterRun.QUIET_LOAD, ClusterRun.LOAD_POLL.toSeconds(),
        o.maxWaitSeconds());
    r.line("");
    double waited = 0;
    if (!drains.isEmpty()) {
      drains(r, o, drains);
      waited += drains.stream().mapToDouble(d -> d.quiet().seconds()).sum();
    }
    if (!apis.isEmpty()) {
      apis(r, o, apis);
      waited += apis.stream().mapToDouble(a -> a.quiet().seconds()).sum();
    }
    r.line("Whole run %.0f s, of which %.0f s waiting for the load average; the child JVMs' logs"
        + " are in `%s`.", runSeconds, waited, logs);
  }

  private static void drains(SuiteReport r, ClusterOptions o, List<RelayScaling.Result> drains) {
    RelayScaling.Result first = drains.get(0);
    r.line("## Relay drain by %s relays", counts(drains.stream().map(RelayScaling.Result::relays)
        .toList()));
    r.line("");
    r.line("Each drain: a fresh backlog of %,d events of %s (tenants x keys per tenant), written by"
        + " plain INSERTs, %d rows per transaction, ~%d B payloads, all backlogs before the first"
        + " drain. Each relay is `soma-resilience publish-outbox --http-port=…` in a JVM of its"
        + " own (-Xmx%s): the relay as the service runs it, without a cluster, since relays"
        + " coordinate through PostgreSQL only. The relays start behind a gate that holds their"
        + " claims (the claim's advisory locks, held by the benchmark), the machine quiets down,"
        + " and they are let go together; the drain runs from then to the last row marked"
        + " published. Leases of a day (`SA01_OUTBOX_LEASE_SECONDS=%s`): a claim's lease counts"
        + " from its transaction's start, which for a claim held at the gate is before the wait.",
        o.events(), o.shape(), o.rowsPerTransaction(), o.payloadBytes(), o.relayHeap(),
        RelayScaling.LEASE_SECONDS);
    r.line("");
    r.line("| relays | drain | events/s | ratio to %d | each relay's events (its own count) |"
        + " sent twice | start-up s | load average before | other processes |", first.relays());
    r.line("| ---: | --- | ---: | ---: | --- | ---: | ---: | --- | ---: |");
    for (RelayScaling.Result d : drains) {
      r.line("| %d | %s | %,.0f | **%.2f** | %s | %d | %.1f | %s | %.0f%% |", d.relays(),
          d.drain().outcome(), d.drain().rate(), d.drain().rate() / first.drain().rate(),
          shares(d.published()), d.duplicates(), d.drain().startupSeconds(), load(d.quiet()),
          100 * d.usage().others());
    }
    r.line("");
    cpu(r, "relays", RelayScaling.RELAYS, "events", first.usage(), first.drain().published(),
        drains.stream().map(d -> new CpuRow(d.relays(), d.usage(), d.drain().published(),
            d.quiet())).toList());
  }

  private static void apis(SuiteReport r, ClusterOptions o, List<ApiScaling.Result> apis) {
    ApiScaling.Result first = apis.get(0);
    r.line("## `POST /v1/conversations/{id}/messages` against %s nodes",
        counts(apis.stream().map(ApiScaling.Result::nodes).toList()));
    r.line("");
    r.line("Each node is the whole service (`java … dev.soma.resilience.Main`, every role, the"
        + " deployment files' way) in a JVM of its own (-Xmx%s), clustered over loopback"
        + " (Hazelcast, every node listing every node) from the first count on; node i joins when"
        + " the count reaches i + 1. Load: %d callers in a closed loop on one event loop of the"
        + " benchmark's JVM (the API suite's client), keep-alive, each request to the next node in"
        + " turn, %d-byte content, %d conversations at random; %d s of warm-up, a wait for a quiet"
        + " machine, %d s measured. Rate limit and backlog limit out of the way; one tenant and key."
        + " Each node's share is its own count (`vertx_http_server_requests_total` of POSTs;"
        + " `outbox_messages_published_total`: %s).", o.nodeHeap(), o.concurrency(),
        o.contentBytes(), o.conversations(), o.warmupSeconds(), o.seconds(),
        o.laterNodeRoles().isBlank() ? "every node also runs a relay"
            : "**the nodes after the first run only `" + o.laterNodeRoles() + "`**");
    r.line("");
    r.line("| nodes | requests/s | ratio to %d | p50 ms | p99 ms | failed | each node's requests |"
        + " each node's events published | pending after | load average before | other"
        + " processes |", first.nodes());
    r.line("| ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | --- | ---: |");
    for (ApiScaling.Result a : apis) {
      r.line("| %d | %,.0f | **%.2f** | %.2f | %.2f | %d%s | %s | %s | %,d | %s | %.0f%% |",
          a.nodes(), a.load().perSecond(), a.load().perSecond() / first.load().perSecond(),
          a.load().percentileMs(50), a.load().percentileMs(99), a.load().failed(),
          a.load().firstFailure() == null ? "" : " (" + a.load().firstFailure() + ")",
          shares(a.requests()), shares(a.published()), a.pendingAfter(), load(a.quiet()),
          100 * a.usage().others());
    }
    r.line("");
    cpu(r, "API nodes", ApiScaling.NODES, "requests", first.usage(), first.load().ok(),
        apis.stream().map(a -> new CpuRow(a.nodes(), a.usage(), a.load().ok(), a.quiet()))
            .toList());
  }

  /** One row of a CPU table: a count, its phase's CPU, what it did, and its machine at rest. */
  private record CpuRow(int count, CpuAccounting.Usage usage, long done, LoadWait.Result quiet) {}

  private static void cpu(SuiteReport r, String who, String group, String unit,
      CpuAccounting.Usage firstUsage, long firstDone, List<CpuRow> rows) {
    double firstAll = firstUsage.ourSeconds() / firstDone * 1000;
    r.line("CPU seconds per 1,000 %s (all cores), and at rest: the last %d s of the wait before"
        + " the run, with everything started and idle, in %% of one core:",
        unit, ClusterRun.LOAD_POLL.toSeconds());
    r.line("");
    r.line("| %s | %s | PostgreSQL | Kafka | benchmark JVM | all | ratio to %d | at rest: %s /"
        + " PostgreSQL / Kafka |", who, who, rows.get(0).count(), who);
    r.line("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    for (CpuRow row : rows) {
      CpuAccounting.Usage u = row.usage();
      double per = 1000.0 / row.done();
      CpuAccounting.Usage idle = row.quiet().idle();
      r.line("| %d | %.3f | %.3f | %.3f | %.3f | %.3f | **%.2f** | %.0f%% / %.0f%% / %.0f%% |",
          row.count(), u.seconds(group) * per, u.seconds(ClusterRun.POSTGRES) * per,
          u.seconds(ClusterRun.KAFKA) * per, u.seconds(ClusterRun.HARNESS) * per,
          u.ourSeconds() * per, u.ourSeconds() * per / firstAll, core(idle, group),
          core(idle, ClusterRun.POSTGRES), core(idle, ClusterRun.KAFKA));
    }
    r.line("");
  }

  /** {@code part}'s use of the machine in {@code usage}, in percent of one core. */
  private static double core(CpuAccounting.Usage usage, String part) {
    return 100 * CORES * usage.parts().getOrDefault(part, 0.0);
  }

  /** {@code 120,000 (60%) / 80,000 (40%)}. */
  private static String shares(List<Long> counts) {
    long total = counts.stream().mapToLong(Long::longValue).sum();
    return counts.stream().map(n -> String.format(Locale.ROOT, "%,d (%.0f%%)", n,
        total == 0 ? 0.0 : 100.0 * n / total)).collect(Collectors.joining(" / "));
  }

  private static String load(LoadWait.Result quiet) {
    return quiet.loadAverage() + (quiet.reached() ? ""
        : String.format(Locale.ROOT, " (not under %.1f after %.0f s)", ClusterRun.QUIET_LOAD,
            quiet.seconds()));
  }

  /** {@code 1, 2 and 3}. */
  private static String counts(List<Integer> counts) {
    String all = counts.stream().map(String::valueOf).collect(Collectors.joining(", "));
    int last = all.lastIndexOf(", ");
    return last < 0 ? all : all.substring(0, last) + " and " + all.substring(last + 2);
  }
}
