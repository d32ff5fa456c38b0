package dev.soma.resilience.degradation.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Optional;

/**
 * The outcomes of one dependency over the last {@code span} (time-based, on an injected clock),
 * plus the run of consecutive failures, which does not age out: a dependency that failed and was
 * not called since is still failing. Holds at most {@code maxSamples} outcomes (the oldest go
 * first), so a flood of traffic costs bounded memory. When an outage ends (a success after at least
 * {@code outageRun} consecutive failures) the window starts afresh: the outage was reported as
 * such, and its failures must not make the recovered service look flaky afterwards. Not
 * thread-safe: one event loop owns it.
 */
final class OutcomeWindow {

  private record Sample(Instant at, boolean ok, long latencyMs, boolean probe) {}

  private final Duration span;
  private final Clock clock;
  private final int maxSamples;
  private final int outageRun;
  private final ArrayDeque<Sample> samples = new ArrayDeque<>();
  private int consecutiveFailures;
  private String lastError;
  private Instant lastRealCallAt;

  OutcomeWindow(Duration span, Clock clock, int maxSamples, int outageRun) {
    this.span = span;
    this.clock = clock;
    this.maxSamples = maxSamples;
    this.outageRun = outageRun;
  }

  /** Adds one outcome; {@code probe} tells a health probe from a real call. */
  void record(boolean ok, long latencyMs, String error, boolean probe) {
    Instant now = clock.instant();
    if (ok && consecutiveFailures >= outageRun) {
      samples.clear();
    }
    samples.addLast(new Sample(now, ok, latencyMs, probe));
    if (samples.size() > maxSamples) {
      samples.removeFirst();
    }
    if (ok) {
      consecutiveFailures = 0;
    } else {
      consecutiveFailures++;
      lastError = error == null || error.isBlank() ? "failed" : error;
    }
    if (!probe) {
      lastRealCallAt = now;
    }
  }

  /** When a real call last reported, if one did. */
  Optional<Instant> lastRealCallAt() {
    return Optional.ofNullable(lastRealCallAt);
  }

  /** The window's figures now (outcomes older than the span are dropped first). */
  WindowStats stats() {
    Instant horizon = clock.instant().minus(span);
    while (!samples.isEmpty() && samples.peekFirst().at().isBefore(horizon)) {
      samples.removeFirst();
    }
    int failures = 0;
    long latencySum = 0;
    for (Sample s : samples) {
      if (!s.ok()) {
        failures++;
      }
      latencySum += s.latencyMs();
    }
    long meanLatency = samples.isEmpty() ? 0 : latencySum / samples.size();
    return new WindowStats(
        samples.size(),
        failures,
        consecutiveFailures,
        meanLatency,
        consecutiveFailures > 0 ? lastError : null);
  }
}
