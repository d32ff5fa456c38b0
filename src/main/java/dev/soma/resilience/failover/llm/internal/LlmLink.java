package dev.soma.resilience.failover.llm.internal;

import dev.soma.resilience.config.LlmConfig;
import dev.soma.resilience.failover.chain.Link;
import dev.soma.resilience.failover.llm.LlmRequest;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One link of a use case's chain (a provider and its model) for one request: a whole answer, or a
 * stream whose tokens go to {@code tokens}, noting in {@code delivered} that one reached the
 * caller.
 */
final class LlmLink implements Link<LlmRequest, Completion> {

  /** Whether any token of this request's stream has reached the caller. */
  static final class Delivered {
    private boolean yes;

    boolean yes() {
      return yes;
    }
  }

  private final LlmConfig config;
  private final LlmConfig.Link link;
  private final LlmClient client;
  private final Optional<Consumer<String>> tokens;
  private final Delivered delivered;

  LlmLink(
      LlmConfig config,
      LlmConfig.Link link,
      LlmClient client,
      Optional<Consumer<String>> tokens,
      Delivered delivered) {
    this.config = config;
    this.link = link;
    this.client = client;
    this.tokens = tokens;
    this.delivered = delivered;
  }

  @Override
  public String name() {
    return link.provider();
  }

  /** {@code provider:model}, as a reply's failovers name it. */
  @Override
  public String label() {
    return link.toString();
  }

  @Override
  public boolean configured() {
    return config.provider(link).configured();
  }

  @Override
  public Future<Completion> call(LlmRequest request, Optional<Duration> left) {
    Duration remaining = left.orElse(config.deadline());
    ProviderCall call =
        new ProviderCall(
            link.model(),
            request.messages(),
            request.maxTokens().orElse(config.defaultMaxTokens()),
            request.temperature(),
            tokens.isPresent() ? remaining : min(remaining, config.requestTimeout()),
            min(remaining, config.firstTokenTimeout()),
            config.betweenTokensTimeout(),
            request.tenant());
    return tokens
        .map(
            sink ->
                client.stream(
                    call,
                    text -> {
                      delivered.yes = true;
                      sink.accept(text);
                    }))
        .orElseGet(() -> client.complete(call));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
