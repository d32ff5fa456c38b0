package dev.soma.resilience.failover.llm.internal;

import dev.soma.resilience.failover.llm.LlmError;

/**
 * A chain gave up: carries the {@link LlmError} for the caller, and for streams whether tokens had
 * already reached the caller. Stackless flow control.
 */
public final class ChainFailure extends RuntimeException {

  private final LlmError error;
  private final boolean partial;

  ChainFailure(LlmError error, boolean partial) {
    super(error.message(), null, false, false);
    this.error = error;
    this.partial = partial;
  }

  public LlmError error() {
    return error;
  }

  public boolean partial() {
    return partial;
  }
}
