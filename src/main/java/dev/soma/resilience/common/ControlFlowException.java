package dev.soma.resilience.common;

/**
 * A failure that tells the caller what happened - a refused call, a duplicate, a dependency that
 * did not answer - rather than a bug to trace. Stackless and without suppressed exceptions, so it
 * costs little to throw as often as a dependency fails; the message says all there is to say.
 */
public abstract class ControlFlowException extends RuntimeException {

  protected ControlFlowException(String message) {
    super(message, null, false, false);
  }
}
