package dev.soma.resilience.bench;

import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Reads a {@link FailoverTimeline}'s samples: when traffic left the primary after it went down
 * (first answer from the fallback; first request that no longer tried the primary, i.e. its
 * breaker opened), the breaker's trial calls while it stayed down, and when traffic was back on
 * the primary after it listened again. All times in ms from the moment the change was made.
 */
final class TimelineSummary {

  private static final String PRIMARY = "openai";
  private final List<FailoverTimeline.Sample> samples;
  private final long down;
  private final long stopped;
  private final long up;
  private final long listening;
  private final int resetMs;

  TimelineSummary(List<FailoverTimeline.Sample> samples, long down, long stopped, long up,
      long listening, int resetMs) {
    this.samples = samples;
    this.down = down;
    this.stopped = stopped;
    this.up = up;
    this.listening = listening;
    this.resetMs = resetMs;
  }

  void report(SuiteReport report) {
    FailoverTimeline.Sample firstFallback = first(s -> s.done() >= down
        && !s.provider().equals(PRIMARY) && !s.provider().equals("error"), true);
    FailoverTimeline.Sample firstSkip = first(s -> s.sent() >= down && !s.primaryTried(), false);
    long skipFrom = firstSkip == null ? up : firstSkip.sent();
    long lastTriedBeforeOpen = samples.stream()
        .filter(s -> s.sent() >= down && s.sent() < skipFrom && s.primaryTried())
        .mapToLong(FailoverTimeline.Sample::done).max().orElse(-1);
    List<FailoverTimeline.Sample> trials = samples.stream()
        .filter(s -> s.sent() >= skipFrom && s.sent() < up && s.primaryTried())
        .toList();
    long errors = samples.stream().filter(s -> s.provider().equals("error")).count();
    long outage = samples.stream().filter(s -> s.sent() >= down && s.sent() < up).count();
    FailoverTimeline.Sample firstBack = first(s -> s.done() >= up
        && s.provider().equals(PRIMARY), true);
    long lastAway = samples.stream()
        .filter(s -> s.sent() >= up && !s.provider().equals(PRIMARY))
        .mapToLong(FailoverTimeline.Sample::done).max().orElse(-1);

    report.line("### Failover and recovery timeline");
    report.line("");
    report.line("| event | ms after the change |");
    report.line("| --- | ---: |");
    report.line("| primary stopped listening (server close took) | %.1f |", ms(stopped - down));
    report.line("| first answer served by the fallback | %s |", since(firstFallback, down));
    report.line("| last request that still tried the primary before its breaker opened"
        + " (answered) | %s |", lastTriedBeforeOpen < 0 ? "none" : fmt(ms(lastTriedBeforeOpen
        - down)));
    report.line("| first request that skipped the primary (breaker open; sent) | %s |",
        firstSkip == null ? "never" : fmt(ms(firstSkip.sent() - down)));
    report.line("| primary listening again (listen took) | %.1f |", ms(listening - up));
    report.line("| first answer served by the primary again | %s |", since(firstBack, up));
    report.line("| last answer from the fallback after that (then only the primary) | %s |",
        lastAway < 0 ? "none" : fmt(ms(lastAway - up)));
    report.line("| configured breaker reset timeout | %d |", resetMs);
    report.line("");
    report.line("While down (%,d requests sent), the primary was tried %d more time(s) after its"
        + " breaker opened (half-open trials), at ms %s after it went down; %d request(s) in the"
        + " whole stream got no answer at all.", outage, trials.size(),
        trials.stream().map(s -> fmt(ms(s.sent() - down))).collect(Collectors.joining(", ")),
        errors);
    if (firstBack != null) {
      report.line("");
      report.line("Back on the primary %.0f ms after it listened again: %.2f × the configured"
          + " reset timeout (bounded by it: the breaker lets one trial through once the reset"
          + " timeout has passed since it last opened).", ms(firstBack.done() - up),
          ms(firstBack.done() - up) / resetMs);
    }
  }

  private FailoverTimeline.Sample first(Predicate<FailoverTimeline.Sample> p, boolean byDone) {
    return samples.stream().filter(p)
        .min((a, b) -> Long.compare(byDone ? a.done() : a.sent(), byDone ? b.done() : b.sent()))
        .orElse(null);
  }

  private static String since(FailoverTimeline.Sample s, long from) {
    return s == null ? "never" : fmt(ms(s.done() - from));
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private static String fmt(double ms) {
    return String.format("%.1f", ms);
  }
}
