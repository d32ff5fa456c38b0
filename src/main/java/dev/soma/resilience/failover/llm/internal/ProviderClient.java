package dev.soma.resilience.failover.llm.internal;

import dev.soma.resilience.config.LlmConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import java.time.Clock;

/** What both wire formats' clients share: the provider's endpoint and the {@link HttpExchange}. */
abstract class ProviderClient implements LlmClient {

  final LlmConfig.Provider provider;
  final HttpExchange exchange;

  ProviderClient(Vertx vertx, HttpClient http, LlmConfig.Provider provider, Clock clock) {
    this.provider = provider;
    this.exchange = new HttpExchange(vertx, http, clock);
  }

  @Override
  public final String provider() {
    return provider.name();
  }
}
