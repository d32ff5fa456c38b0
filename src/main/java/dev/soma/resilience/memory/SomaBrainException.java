package dev.soma.resilience.memory;

import dev.soma.resilience.breaker.CallOutcome;
import dev.soma.resilience.common.ControlFlowException;

/** A SomaBrain call that failed, with how it counts for the breakers ({@link CallOutcome}). */
public final class SomaBrainException extends ControlFlowException {

  private final CallOutcome outcome;
  private final int status;

  SomaBrainException(String message, CallOutcome outcome, int status) {
    super(message);
    this.outcome = outcome;
    this.status = status;
  }

  public CallOutcome outcome() {
    return outcome;
  }

  /** The HTTP status, or 0 when there was no answer. */
  public int status() {
    return status;
  }

  /**
   * How {@code failure} of a SomaBrain call counts: as the call's own outcome, or for anything that
   * is not an answer (a timeout, a refused connection) as the dependency failing.
   */
  public static CallOutcome outcomeOf(Throwable failure) {
    return failure instanceof SomaBrainException e ? e.outcome() : CallOutcome.DEPENDENCY_FAILURE;
  }

  /** Whether SomaBrain refused the call as the caller's fault (not held against SomaBrain). */
  public static boolean isCallerFault(Throwable failure) {
    return outcomeOf(failure) == CallOutcome.CALLER_FAULT;
  }
}
