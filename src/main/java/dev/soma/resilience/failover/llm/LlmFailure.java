package dev.soma.resilience.failover.llm;

import dev.soma.resilience.common.ControlFlowException;

/**
 * The LLM could not answer: the {@link LlmError} to report, and whether tokens of a stream had
 * already reached the caller ({@code partial}). The failover chain fails with it when it gives up,
 * and a caller on the other side of the event bus fails its own work with it when the chain's error
 * comes back. Stackless flow control.
 */
public final class LlmFailure extends ControlFlowException {

  private final LlmError error;
  private final boolean partial;

  public LlmFailure(LlmError error, boolean partial) {
    super(error.message());
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
