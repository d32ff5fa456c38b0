package dev.soma.resilience.degradation.internal;

import dev.soma.resilience.common.FailureLog;
import dev.soma.resilience.degradation.CallReport;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dependency's window, its probe (if any) and whether a probe is running; runs the probe.
 * Event-loop owned.
 */
final class TrackedDependency {

  private static final int MAX_SAMPLES = 10_000;
  private static final Logger LOG = LoggerFactory.getLogger(TrackedDependency.class);
  // one per process: a failing probe says why once a minute, not on every probe
  private static final FailureLog FAILURES =
      new FailureLog(Clock.systemUTC(), Duration.ofMinutes(1));

  final MonitoredDependency spec;
  final OutcomeWindow window;
  final Optional<HealthProbe> probe;
  boolean probing;

  TrackedDependency(
      MonitoredDependency spec,
      Optional<HealthProbe> probe,
      Duration span,
      int outageRun,
      Clock clock) {
    this.spec = spec;
    this.probe = probe;
    this.window = new OutcomeWindow(span, clock, MAX_SAMPLES, outageRun);
  }

  /** Real traffic first: no probe while a real call reported within the last interval. */
  boolean wantsProbe(Instant now, Duration interval) {
    return probe.isPresent()
        && !probing
        && window.lastRealCallAt().map(at -> at.isBefore(now.minus(interval))).orElse(true);
  }

  /**
   * Runs the probe once, allowing it {@code timeout}, and records its result in the window as a
   * probe's (an error by its message, or "timed out"); completes, never fails, once recorded. Only
   * while {@link #wantsProbe}.
   */
  Future<Void> probeOnce(Duration timeout) {
    probing = true;
    long started = System.nanoTime();
    return probe
        .get()
        .check()
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .transform(
            ar -> {
              probing = false;
              long latencyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
              String error = ar.succeeded() ? null : describe(ar.cause());
              window.record(ar.succeeded(), latencyMs, error, true);
              return Future.succeededFuture();
            });
  }

  /** For the public status the failure's kind ({@link CallReport#describe}); the log, its text. */
  private String describe(Throwable cause) {
    FailureLog.Verdict verdict = FAILURES.record(cause);
    if (verdict.log()) {
      LOG.warn("probe of {} failed: {}", spec.name(), cause.toString());
    }
    return CallReport.describe(cause);
  }
}
