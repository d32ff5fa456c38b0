package dev.soma.resilience.failover.llm.internal;

import dev.soma.resilience.failover.llm.LlmRequest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One call to one provider, as the chain hands it to an {@link LlmClient}.
 *
 * @param total the whole call must finish within this (the attempt's share of the deadline)
 * @param firstToken streaming: the first token must arrive within this of sending
 * @param betweenTokens streaming: the longest silence allowed between two tokens
 * @param tenant for log lines only
 */
public record ProviderCall(
    String model,
    List<LlmRequest.Message> messages,
    int maxTokens,
    Optional<Double> temperature,
    Duration total,
    Duration firstToken,
    Duration betweenTokens,
    String tenant) {

  public ProviderCall {
    messages = List.copyOf(messages);
  }
}
