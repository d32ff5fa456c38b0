package dev.soma.resilience.outbox.internal;

import java.time.Clock;
import java.time.Duration;

/**
 * When the relay may start a claim: an explicit state machine behind {@link #apply}, which returns
 * the {@link Step} taken so the relay can act on it (log an outage, set the timer that ends a
 * pause).
 *
 * <ul>
 *   <li>{@link Phase#FLOWING}: up to {@code maxInFlightBatches} claims and batches at once.
 *   <li>{@link Phase#OUTAGE}, entered when a batch found the broker unreachable: one at a time, and
 *       the {@code n}-th failed round pauses claims for {@code 250 ms × 2^n}, at most {@code
 *       outagePauseMax}. The first batch the broker takes again ends it, pause and all.
 *   <li>{@link Phase#STOPPING}: no claims any more; final, whatever is reported after it.
 * </ul>
 *
 * <p>A failed claim pauses claims for {@link #CLAIM_RETRY} in either running phase, without
 * changing it. Not thread-safe: confined to the relay's event loop.
 */
final class RelayPacing {

  /** The pause after a failed claim (PostgreSQL busy or away). */
  static final Duration CLAIM_RETRY = Duration.ofSeconds(1);

  private static final long OUTAGE_PAUSE_UNIT_MILLIS = 250;

  enum Phase {
    FLOWING,
    OUTAGE,
    STOPPING
  }

  /** What the relay saw. */
  enum Event {
    BROKER_UNAVAILABLE,
    PUBLISHED,
    NOTHING_PUBLISHED,
    CLAIM_FAILED,
    STOP;

    /** What a settled batch says about the broker. */
    static Event of(BatchPublisher.Outcome outcome) {
      if (outcome.brokerUnavailable()) {
        return BROKER_UNAVAILABLE;
      }
      return outcome.anyPublished() ? PUBLISHED : NOTHING_PUBLISHED;
    }
  }

  /**
   * Where the relay stands.
   *
   * @param outageRounds failed rounds of the current outage (0 outside one)
   * @param resumeAtMillis no claim starts before this time ({@link Clock#millis})
   */
  record State(Phase phase, int outageRounds, long resumeAtMillis) {
    static final State START = new State(Phase.FLOWING, 0, 0);
    static final State STOPPED = new State(Phase.STOPPING, 0, 0);
  }

  /** One transition: the states before and after, and the pause it began ({@code ZERO}: none). */
  record Step(State from, State to, Duration pause) {
    boolean outageBegan() {
      return from.phase() != Phase.OUTAGE && to.phase() == Phase.OUTAGE;
    }

    boolean outageEnded() {
      return from.phase() == Phase.OUTAGE && to.phase() == Phase.FLOWING;
    }
  }

  private final int maxInFlightBatches;
  private final Duration outagePauseMax;
  private final Clock clock;
  private State state = State.START;

  RelayPacing(int maxInFlightBatches, Duration outagePauseMax, Clock clock) {
    this.maxInFlightBatches = maxInFlightBatches;
    this.outagePauseMax = outagePauseMax;
    this.clock = clock;
  }

  /** Moves to the state {@code event} leads to; returns the step taken. */
  Step apply(Event event) {
    Step step = next(state, event, clock.millis());
    state = step.to();
    return step;
  }

  /**
   * Whether a claim may start now, with {@code inPipeline} claims and batches already in flight.
   */
  boolean mayClaim(int inPipeline) {
    return state.phase() != Phase.STOPPING
        && inPipeline < maxInFlight()
        && clock.millis() >= state.resumeAtMillis();
  }

  /** While the broker is down, one batch probes at a time. */
  int maxInFlight() {
    return state.phase() == Phase.OUTAGE ? 1 : maxInFlightBatches;
  }

  boolean stopping() {
    return state.phase() == Phase.STOPPING;
  }

  State state() {
    return state;
  }

  private Step next(State from, Event event, long now) {
    if (from.phase() == Phase.STOPPING) {
      return new Step(from, from, Duration.ZERO);
    }
    return switch (event) {
      case STOP -> new Step(from, State.STOPPED, Duration.ZERO);
      case BROKER_UNAVAILABLE -> {
        int rounds = from.outageRounds() + 1;
        Duration pause = outagePause(rounds);
        yield new Step(from, new State(Phase.OUTAGE, rounds, now + pause.toMillis()), pause);
      }
      case PUBLISHED ->
          new Step(from, from.phase() == Phase.OUTAGE ? State.START : from, Duration.ZERO);
      case NOTHING_PUBLISHED -> new Step(from, from, Duration.ZERO);
      case CLAIM_FAILED ->
          new Step(
              from,
              new State(from.phase(), from.outageRounds(), now + CLAIM_RETRY.toMillis()),
              CLAIM_RETRY);
    };
  }

  private Duration outagePause(int rounds) {
    long doubled = OUTAGE_PAUSE_UNIT_MILLIS << Math.min(rounds, 20);
    return Duration.ofMillis(Math.min(outagePauseMax.toMillis(), doubled));
  }
}
