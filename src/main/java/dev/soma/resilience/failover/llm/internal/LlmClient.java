package dev.soma.resilience.failover.llm.internal;

import dev.soma.resilience.failover.chain.ProviderFailure;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A client for one provider's wire format. Non-blocking; used from the owning verticle's event
 * loop. Every failure is a {@link ProviderFailure} saying what went wrong, so the chain can decide
 * whether to fail over.
 */
public interface LlmClient {

  /** The provider's name ({@code openai}, {@code anthropic}, ...). */
  String provider();

  /** A non-streaming completion. */
  Future<Completion> complete(ProviderCall call);

  /**
   * A streaming completion: {@code tokens} receives each piece of text as it arrives, on the event
   * loop; the future completes with the whole answer once the stream's terminator arrives, and
   * fails ({@link ProviderFailure.Kind#CUT_OFF} when it ends without one) otherwise, possibly after
   * some tokens were delivered.
   */
  Future<Completion> stream(ProviderCall call, Consumer<String> tokens);

  /**
   * Lists the provider's models ({@code GET {base}/v1/models}), a request that costs nothing: how
   * an open provider is probed, never with a completion. Succeeds when the provider answered 2xx
   * with a model list within {@code within}; fails with {@link ProviderFailure} otherwise.
   */
  Future<Void> listModels(Duration within);
}
