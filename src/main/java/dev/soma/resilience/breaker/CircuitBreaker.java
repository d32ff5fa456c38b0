package dev.soma.resilience.breaker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One breaker: an explicit state machine behind {@link #transition}. Every state change starts a
 * new generation, and a {@link Permit} remembers the generation it was issued in: the result of a
 * call that started before a change is ignored, so a late success can never close a breaker that
 * opened (or half-opened) meanwhile, and a late failure can never reopen one that closed.
 *
 * <p>An operator may hold the breaker with a {@link BreakerOverride} ({@link #override}): forced
 * open, it refuses every call and is never probed; forced closed, it lets every call through and
 * never opens, whatever the calls' results (it still counts them, for {@link #view}). Setting or
 * lifting an override is a transition like any other: a new generation, reported to the listener
 * with the override. Released, the breaker starts afresh, closed with nothing counted.
 *
 * <p>Thread-safe: one breaker per dependency per process serves every event loop that calls the
 * dependency (the HTTP verticle's instances share SomaBrain's), so it needs its threshold of
 * failures once, not once per event loop. Each method holds the breaker's lock for a few field
 * updates and the listener call, never across I/O.
 */
public final class CircuitBreaker {

  /**
   * A state change, as reported to the listener; {@code override} is the operator's hold the
   * breaker is under after it (empty: automatic).
   */
  public record Transition(
      String dependency,
      String tenant,
      CircuitState from,
      CircuitState to,
      Optional<BreakerOverride> override) {}

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
  private long sinceMillis;
  private long lastFailureMillis = -1;
  private BreakerOverride override; // null: automatic

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
    this.sinceMillis = clock.millis();
  }

  /** A permit, or {@link OpenCircuitException} when the breaker refuses the call. */
  public synchronized Permit acquire() {
    if (override != null) {
      if (override.mode() == BreakerOverride.Mode.FORCED_OPEN) {
        throw new OpenCircuitException(dependency, tenant, retryAfter(), override);
      }
      return new Permit(this, generation, false);
    }
    if (trialDue()) {
      transition(CircuitState.HALF_OPEN, null);
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
        transition(CircuitState.CLOSED, null);
      }
      return;
    }
    lastFailureMillis = clock.millis();
    consecutiveFailures++;
    if (override == null
        && (state == CircuitState.HALF_OPEN
            || consecutiveFailures >= settings.failureThreshold())) {
      transition(CircuitState.OPEN, null);
    }
  }

  /**
   * Puts the breaker under {@code next} (empty: back to automatic, closed with nothing counted).
   * Nothing happens when it is already under exactly {@code next}, so applying the same set of
   * overrides again is harmless.
   */
  public synchronized void override(Optional<BreakerOverride> next) {
    BreakerOverride to = next.orElse(null);
    if (!Objects.equals(to, override)) {
      transition(to == null ? CircuitState.CLOSED : to.mode().state(), to);
    }
  }

  /**
   * The right to probe this breaker's dependency with a cheap request that is not a call (listing a
   * provider's models): present only while the breaker is open and not yet due for its trial. Hand
   * a successful probe back through {@link #probeSucceeded}; a failed one needs no report.
   */
  public synchronized Optional<Permit> probe() {
    if (override != null || state != CircuitState.OPEN || trialDue()) {
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
    if (permit.generation() == generation && override == null && state == CircuitState.OPEN) {
      transition(CircuitState.HALF_OPEN, null);
    }
  }

  public synchronized CircuitState state() {
    if (trialDue()) {
      return CircuitState.HALF_OPEN; // what the next call will find
    }
    return state;
  }

  /**
   * Time until an open breaker lets a trial through; zero when it is not open. Forced open, no one
   * knows: the reset timeout, as a hint of when to look again.
   */
  public synchronized Duration retryAfter() {
    if (state != CircuitState.OPEN) {
      return Duration.ZERO;
    }
    if (override != null) {
      return Duration.ofMillis(resetMillis());
    }
    return Duration.ofMillis(Math.max(0, openedAtMillis + resetMillis() - clock.millis()));
  }

  /** The operator's override the breaker is under; empty when automatic. */
  public synchronized Optional<BreakerOverride> overriddenBy() {
    return Optional.ofNullable(override);
  }

  /** What the breaker knows about itself now, for operators. */
  public synchronized BreakerView view() {
    boolean due = trialDue();
    return new BreakerView(
        new BreakerId(dependency, tenant),
        state(),
        Instant.ofEpochMilli(due ? openedAtMillis + resetMillis() : sinceMillis),
        consecutiveFailures,
        lastFailureMillis < 0
            ? Optional.empty()
            : Optional.of(Instant.ofEpochMilli(lastFailureMillis)),
        Optional.ofNullable(override));
  }

  /**
   * The one way the state changes: to {@code to}, under {@code by} (null: automatic). Every change
   * starts a new generation and is reported.
   */
  private void transition(CircuitState to, BreakerOverride by) {
    CircuitState from = state;
    state = to;
    override = by;
    generation++;
    consecutiveFailures = 0;
    trialsInFlight = 0;
    sinceMillis = clock.millis();
    if (to == CircuitState.OPEN) {
      openedAtMillis = sinceMillis;
    }
    listener.accept(new Transition(dependency, tenant, from, to, Optional.ofNullable(by)));
  }

  /** Open on its own, and its reset timeout has passed: the next call is a trial. */
  private boolean trialDue() {
    return override == null
        && state == CircuitState.OPEN
        && clock.millis() - openedAtMillis >= resetMillis();
  }

  private long resetMillis() {
    return settings.resetTimeout().toMillis();
  }
}
