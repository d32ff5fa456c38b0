package dev.soma.resilience;

import java.time.Duration;

/**
 * How a node spends its shutdown grace on SIGTERM ({@link Application#shutDown}): first {@code
 * drain}, serving with readiness at 503 so that load balancers stop sending (a third of the grace,
 * at most {@link #DRAIN_AT_MOST}; none for a process that serves no readiness); then {@code close},
 * for the parts to stop; the rest (a tenth of the grace, at most {@link #EXIT_RESERVE_AT_MOST}) is
 * kept for what follows Vert.x's close: the journal, the embedded servers and the JVM's exit.
 * Without that reserve a close that took its whole time ended the process just past the grace,
 * where an orchestrator kills it (seen at +0.3 s on a loaded machine).
 */
record StopBudget(Duration drain, Duration close) {

  /** The longest a stopping node keeps serving with readiness at 503. */
  static final Duration DRAIN_AT_MOST = Duration.ofSeconds(5);

  /** The most of the grace kept for the exit after the parts' close. */
  static final Duration EXIT_RESERVE_AT_MOST = Duration.ofSeconds(1);

  /** The budget of a {@code grace}; {@code serves}: the process answers readiness. */
  static StopBudget of(Duration grace, boolean serves) {
    Duration drain = serves ? min(grace.dividedBy(3), DRAIN_AT_MOST) : Duration.ZERO;
    Duration exitReserve = min(grace.dividedBy(10), EXIT_RESERVE_AT_MOST);
    return new StopBudget(drain, grace.minus(drain).minus(exitReserve));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
