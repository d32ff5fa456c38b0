package dev.soma.resilience.chat;

import dev.soma.resilience.common.ControlFlowException;
import dev.soma.resilience.failover.llm.LlmFailure;

/**
 * A streamed turn that failed after some tokens reached the caller: the failure, and the text the
 * caller already has (stored as the partial answer).
 */
final class PartialTurn extends ControlFlowException {
  final LlmFailure failure;
  final String text;

  PartialTurn(LlmFailure failure, String text) {
    super(failure.getMessage());
    this.failure = failure;
    this.text = text;
  }
}
