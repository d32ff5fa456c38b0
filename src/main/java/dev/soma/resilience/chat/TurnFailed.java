package dev.soma.resilience.chat;

import dev.soma.resilience.common.ControlFlowException;
import dev.soma.resilience.failover.llm.LlmError;

/** A failed turn: the LLM chain could not answer (the user's message is stored anyway). */
public final class TurnFailed extends ControlFlowException {
  private final LlmError error;
  private final boolean partial;

  TurnFailed(LlmError error, boolean partial) {
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
