package dev.soma.resilience.failover.llm.internal;

import dev.soma.resilience.config.LlmConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import java.time.Clock;
import java.time.Duration;

/** What both wire formats' clients share: the provider's endpoint and the {@link HttpExchange}. */
abstract class ProviderClient implements LlmClient {

  final LlmConfig.Provider provider;
  final HttpExchange exchange;

  ProviderClient(Vertx vertx, HttpClient http, LlmConfig.Provider provider, Clock clock) {
    this.provider = provider;
    this.exchange = new HttpExchange(vertx, http, clock);
  }

  /** Where both formats list their models. */
  static final String MODELS_PATH = "/v1/models";

  @Override
  public final String provider() {
    return provider.name();
  }

  @Override
  public final Future<Void> listModels(Duration within) {
    return exchange.send(modelsRequest(), null, within, ProviderClient::modelList, "a model list");
  }

  /** {@code GET {base}/v1/models} with the format's credentials. */
  abstract RequestOptions modelsRequest();

  /** Both formats answer {@code {"data": [...], ...}}. */
  private static Void modelList(Buffer body) {
    JsonArray data = body.toJsonObject().getJsonArray("data");
    if (data == null) {
      throw new IllegalArgumentException("no data array");
    }
    return null;
  }
}
