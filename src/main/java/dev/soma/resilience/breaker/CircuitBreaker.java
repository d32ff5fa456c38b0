package dev.soma.resilience.breaker;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One breaker: an explicit state machine behind {@link #transition}. Every state change starts a
 * new generation, and a {@link Permit} remembers the generation it was issued in: the result of a
 * call that started before a change is ignored, so a late success can never close a breaker that
 * opened (or half-opened) meanwhile, and a late failure can never reopen one that closed.
 *
 * <p>Thread-safe: one breaker per dependency per process serves every event loop that calls the
 * dependency (the HTTP verticle's instances share SomaBrain's), so it needs its threshold of
 * failures once, not once per event loop. Each method holds the breaker's lock for a few field
 * updates and the listener call, never across I/O.
 */
public final class CircuitBreaker {

  /** A state change, as reported to the listener. */
  public record Transition(String dependency, String tenant, CircuitState from, CircuitState to) {}

  /** The right to make one call; hand it back through {@link #record}. */
  public record Permit(CircuitBreaker breaker, long generation, boolean trial) {}

  private final String dependency;
  private final String tenant;
  private final BreakerSettings settings;
  private final Clock clock;
  private final Consumer<Transition> listener;

  private CircuitState state = CircuitState.CLOSED;
  private long generation;
  private int consecutiveFailures;
  private int trialsInFlight;
  private long openedAtMillis;

  CircuitBreaker(
      String dependency,
      String tenant,
      BreakerSettings settings,
      Clock clock,
      Consumer<Transition> listener) {
    this.dependency = dependency;
    this.tenant = tenant;
    this.settings = settings;
    this.clock = clock;
    this.listener = listener;
  }

  /** A permit, or {@link OpenCircuitException} when the breaker refuses the call. */
  public synchronized Permit acquire() {
    if (state == CircuitState.OPEN && clock.millis() - openedAtMillis >= resetMillis()) {
      transition(CircuitState.HALF_OPEN);
    }
    switch (state) {
      case CLOSED:
        return new Permit(this, generation, false);
      case HALF_OPEN:
        if (trialsInFlight < settings.halfOpenTrials()) {
          trialsInFlight++;
          return new Permit(this, generation, true);
        }
        throw new OpenCircuitException(dependency, tenant, Duration.ofMillis(resetMillis()));
      default:
        throw new OpenCircuitException(dependency, tenant, retryAfter());
    }
  }

  /** Counts the result of the call made with {@code permit}. */
  public synchronized void record(Permit permit, boolean counted, boolean success) {
    if (permit.generation() != generation) {
      return; // the call started in an earlier state: its result says nothing about this one
    }
    if (permit.trial()) {
      trialsInFlight--;
    }
    if (!counted) {
      return;
    }
    if (success) {
      consecutiveFailures = 0;
      if (state == CircuitState.HALF_OPEN) {
        transition(CircuitState.CLOSED);
      }
    } else if (state == CircuitState.HALF_OPEN
        || ++consecutiveFailures >= settings.failureThreshold()) {
      transition(CircuitState.OPEN);
    }
  }

  /**
   * The right to probe this breaker's dependency with a cheap request that is not a call (listing a
   * provider's models): present only while the breaker is open and not yet due for its trial. Hand
   * a successful probe back through {@link #probeSucceeded}; a failed one needs no report.
   */
  public synchronized Optional<Permit> probe() {
    if (state != CircuitState.OPEN || clock.millis() - openedAtMillis >= resetMillis()) {
      return Optional.empty();
    }
    return Optional.of(new Permit(this, generation, false));
  }

  /**
   * The dependency answered the probe made with {@code permit}: an open breaker half-opens at once,
   * so the next call is its trial instead of waiting for the reset timeout. The probe proves the
   * dependency reachable, not that its calls work, so it earns a trial, never a close. Ignored when
   * the breaker changed state since the probe started (the generation rule).
   */
  public synchronized void probeSucceeded(Permit permit) {
    if (permit.generation() == generation && state == CircuitState.OPEN) {
      transition(CircuitState.HALF_OPEN);
    }
  }

  public synchronized CircuitState state() {
    if (state == CircuitState.OPEN && clock.millis() - openedAtMillis >= resetMillis()) {
      return CircuitState.HALF_OPEN; // what the next call will find
    }
    return state;
  }

  /** Time until an open breaker lets a trial through; zero when it is not open. */
  public synchronized Duration retryAfter() {
    if (state != CircuitState.OPEN) {
      return Duration.ZERO;
    }
    return Duration.ofMillis(Math.max(0, openedAtMillis + resetMillis() - clock.millis()));
  }

  private void transition(CircuitState to) {
    CircuitState from = state;
    state = to;
    generation++;
    consecutiveFailures = 0;
    trialsInFlight = 0;
    if (to == CircuitState.OPEN) {
      openedAtMillis = clock.millis();
    }
    listener.accept(new Transition(dependency, tenant, from, to));
  }

  private long resetMillis() {
    return settings.resetTimeout().toMillis();
  }
}
