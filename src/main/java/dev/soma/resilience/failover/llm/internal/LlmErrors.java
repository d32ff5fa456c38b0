package dev.soma.resilience.failover.llm.internal;

import dev.soma.resilience.failover.chain.ChainExhausted;
import dev.soma.resilience.failover.chain.ProviderFailure;
import dev.soma.resilience.failover.llm.LlmError;
import dev.soma.resilience.failover.llm.LlmFailure;
import dev.soma.resilience.failover.llm.LlmRequest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** What a walk that ended without an answer means for the LLM's caller: an {@link LlmError}. */
final class LlmErrors {

  private LlmErrors() {}

  static LlmError of(int status, String message) {
    return new LlmError(status, message, Optional.empty(), List.of());
  }

  /** {@code failure} of a walk for {@code request}, as an {@link LlmFailure}. */
  static Throwable failure(Throwable failure, LlmRequest request) {
    if (!(failure instanceof ChainExhausted ended)) {
      return failure;
    }
    return new LlmFailure(
        error(ended, "chain '" + request.useCase() + "'"),
        ended.why() == ChainExhausted.Why.PARTIAL);
  }

  private static LlmError error(ChainExhausted ended, String chain) {
    String link = ended.link().orElse("");
    String last = ended.last().map(ProviderFailure::getMessage).orElse("");
    String every =
        "every provider of " + chain + (ended.calls() == 0 ? " is unavailable" : " failed");
    return switch (ended.why()) {
      case REJECTED ->
          error(ended, LlmError.BAD_REQUEST, provider(link) + " rejected the request: " + last);
      case PARTIAL ->
          error(
              ended,
              LlmError.UPSTREAM_FAILED,
              link
                  + " failed after part of the answer was sent ("
                  + ended.last().map(ProviderFailure::reason).orElse("")
                  + "): "
                  + last);
      case NOTHING_CONFIGURED, NOT_FOUND ->
          error(ended, LlmError.NOT_CONFIGURED, "no provider of " + chain + " is configured");
      case DEADLINE ->
          error(ended, LlmError.DEADLINE_EXCEEDED, every + " within the request's deadline");
      case UNAVAILABLE, FAILED -> error(ended, LlmError.UNAVAILABLE, every);
    };
  }

  private static LlmError error(ChainExhausted ended, int status, String message) {
    return new LlmError(
        status,
        message,
        ended.retryAfter().map(Duration::toMillis),
        LlmChain.failovers(ended.failovers()));
  }

  /** The provider of a link's label, {@code provider:model}. */
  private static String provider(String label) {
    int colon = label.indexOf(':');
    return colon < 0 ? label : label.substring(0, colon);
  }
}
