package dev.soma.resilience.degradation.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** A dependency's window, its probe (if any) and whether a probe is running. Event-loop owned. */
final class TrackedDependency {

  private static final int MAX_SAMPLES = 10_000;

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
}
