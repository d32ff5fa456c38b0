package dev.soma.resilience.bench;

import static dev.soma.resilience.bench.Report.line;
import static dev.soma.resilience.bench.Report.ms;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * Renders {@link ReplayLatency}'s result: each live window's commit-to-ack next to the first
 * window's (live load alone) as a ratio of p99, what the replay beside it did, and the raw
 * producer's latency at the live rate.
 */
final class ReplayReport {

  private ReplayReport() {}

  /** One line per window on the console, as the phases end. */
  static void print(ReplayLatency.Result result) {
    for (ReplayLatency.Window w : result.windows()) {
      System.out.printf(Locale.ROOT, "  %s: live commit-to-ack p50 %.1f, p99 %.1f ms (x%.2f)%n",
          w.label(), ms(w.live().toAppend(), 50), ms(w.live().toAppend(), 99), ratio(result, w));
    }
  }

  static void render(StringBuilder md, ReplayLatency.Result result, BenchOptions options,
      Report report) {
    line(md, "## Live commit-to-ack latency during a replay (issue 17)");
    line(md, "");
    line(md, "| window | live p50 / p90 / p99 / max ms | p99 ratio to live only |"
        + " %s's live events p99 / max ms (n) | replayed in window, events/s | whole replay"
        + " sent in s (events/s) | replay behind its pace p99 / max s | load average | other processes |",
        ReplayLatency.TENANT);
    line(md, "| --- | --- | ---: | --- | --- | ---: | --- | --- | ---: |");
    for (ReplayLatency.Window w : result.windows()) {
      Histogram h = w.live().toAppend();
      Histogram t = w.tenantLive();
      ReplayLatency.Replay r = w.replay();
      line(md, "| %s | %.1f / %.1f / %.1f / %.1f | **%.2f** | %.1f / %.1f (%d) | %s | %s | %s |"
          + " %s | %s |", w.label(), ms(h, 50), ms(h, 90), ms(h, 99), h.getMaxValue() / 1000.0,
          ratio(result, w), ms(t, 99), t.getMaxValue() / 1000.0, t.getTotalCount(),
          r == null ? "" : String.format(Locale.ROOT, "%,d in %.0f s, %,.0f/s", r.sentInWindow(),
              r.windowSeconds(), r.rateInWindow()),
          r == null ? "" : r.sent() < r.rows() ? String.format(Locale.ROOT,
              "**%,d of %,d** unfinished", r.sent(), r.rows()) : String.format(Locale.ROOT, "%.0f (%,.0f/s)",
              r.sentSeconds(), r.sent() / r.sentSeconds()),
          r == null ? "" : String.format(Locale.ROOT, "%.1f / %.1f",
              r.lagMillis().getValueAtPercentile(99) / 1000.0, r.lagMillis().getMaxValue()
                  / 1000.0),
          w.loadAverage(), otherLoad(report, w));
    }
    Histogram raw = result.raw().toAck();
    line(md, "");
    line(md, "Raw producer at %,d events/s, same pacing: send-to-ack p50 %.1f / p99 %.1f / max"
        + " %.1f ms (send to append p99 %.1f ms)%s.", options.replayLiveRate(), ms(raw, 50),
        ms(raw, 99), raw.getMaxValue() / 1000.0, ms(result.raw().toAppend(), 99),
        report.disturbance("replay: raw producer"));
    line(md, "");
    line(md, "Live load: %,d events/s of %s through `Outbox.enqueueAll`, committing every %d ms,"
        + " %d s measured after %d s of warm-up, one relay JVM for all windows. History: %,d"
        + " published events of %s with %,d keys (written in %.0f s), also a live tenant. Each"
        + " replay window calls `OutboxReplay.replayMatching` (tenant %s, the history's topic)"
        + " when its warm-up ends, paced at the window's rate (the configured default is %,d/s),"
        + " then waits until the replay is sent; \"replayed in window\" counts the replay's rows"
        + " published from its start to the window's end. \"Behind its pace\": published minus"
        + " due: `next_attempt_at`, set when a relay moves the row to pending, which it does at"
        + " the replay's pace (row i is due i / rate s after the first chunk).",
        options.replayLiveRate(),
        options.latencyShape(), options.tickMillis(), options.latencySeconds(),
        options.latencyWarmupSeconds(), options.replayEvents(), ReplayLatency.TENANT,
        options.replayKeys(), result.historySeconds(), ReplayLatency.TENANT,
        result.configuredRate());
    line(md, "");
    for (ReplayLatency.Window w : result.windows()) {
      LatencyRun.Result l = w.live();
      ReplayLatency.Replay r = w.replay();
      line(md, "- %s: %,d live events, %d failed, %d never arrived, %d duplicates%s.", w.label(),
          l.events(), l.failed(), l.missing(), l.duplicates(), r == null ? ""
              : String.format(Locale.ROOT, "; the replay's call scheduled %,d rows in %.1f s",
                  r.rows(), r.requeueSeconds()));
    }
    line(md, "");
    line(md, "%s's live events, the worst commit-to-ack (ms) of those committed in each %d s of the"
        + " measured window (a replay starts with it):", ReplayLatency.TENANT,
        LatencyRun.SLICE_MILLIS / 1000);
    line(md, "");
    for (ReplayLatency.Window w : result.windows()) {
      StringBuilder slices = new StringBuilder();
      for (long worst : w.tenantWorst()) {
        slices.append(slices.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,d", worst));
      }
      line(md, "- %s: %s", w.label(), slices);
    }
    line(md, "");
  }

  private static double ratio(ReplayLatency.Result result, ReplayLatency.Window w) {
    return ms(w.live().toAppend(), 99) / ms(result.windows().get(0).live().toAppend(), 99);
  }

  private static String otherLoad(Report report, ReplayLatency.Window w) {
    CpuAccounting.Usage usage = report.cpuOf(w.cpuPhase());
    return usage == null || Double.isNaN(usage.others()) ? "?"
        : String.format(Locale.ROOT, usage.others() > 0.10 ? "**%.0f%%**" : "%.0f%%",
            usage.others() * 100);
  }
}
