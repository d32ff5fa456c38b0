package dev.soma.resilience.failover.llm.internal;

import dev.soma.resilience.config.LlmConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * The LLM providers' clients: one HTTP client they all share, its pool sized for calls that last
 * seconds, and per provider of the configuration a client speaking its wire format. Open it on the
 * context its calls are to run on (the owning verticle's); {@link #close} closes the HTTP client.
 */
public final class ProviderClients {

  static final int MAX_CONNECTIONS_PER_PROVIDER = 256;

  private final HttpClient http;
  private final Map<String, LlmClient> byProvider;

  private ProviderClients(HttpClient http, Map<String, LlmClient> byProvider) {
    this.http = http;
    this.byProvider = byProvider;
  }

  public static ProviderClients open(Vertx vertx, LlmConfig config, Clock clock) {
    // LLM calls last seconds: the default of 5 connections per provider would queue the sixth
    // concurrent request while its own deadline runs
    HttpClient http =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setKeepAlive(true),
            new PoolOptions()
                .setHttp1MaxSize(MAX_CONNECTIONS_PER_PROVIDER)
                .setMaxWaitQueueSize(MAX_CONNECTIONS_PER_PROVIDER * 4));
    Map<String, LlmClient> clients = new HashMap<>();
    config
        .providers()
        .forEach(
            (name, provider) ->
                clients.put(
                    name,
                    switch (provider.format()) {
                      case OPENAI_CHAT -> new OpenAiChatClient(vertx, http, provider, clock);
                      case ANTHROPIC_MESSAGES ->
                          new AnthropicMessagesClient(vertx, http, provider, clock);
                    }));
    return new ProviderClients(http, clients);
  }

  /** Every provider's client, by the provider's name. */
  public Map<String, LlmClient> byProvider() {
    return byProvider;
  }

  public Future<Void> close() {
    return http.close();
  }
}
