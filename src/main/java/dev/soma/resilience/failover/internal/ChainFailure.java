package dev.soma.resilience.failover.internal;

import dev.soma.resilience.failover.LlmError;

/**
 * A chain gave up: carries the {@link LlmError} for the caller, and for streams whether tokens had
 * already reached the caller. Stackless flow control.
 */
final class ChainFailure extends RuntimeException {

  private final LlmError error;
  private final boolean partial;

  ChainFailure(LlmError error, boolean partial) {
    super(error.message(), null, false, false);
    this.error = error;
    this.partial = partial;
  }

  LlmError error() {
    return error;
  }

  boolean partial() {
    return partial;
  }
}
