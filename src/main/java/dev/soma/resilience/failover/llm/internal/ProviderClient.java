package dev.soma.resilience.failover.llm.internal;

import dev.soma.resilience.config.LlmConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * What both wire formats' clients share: the provider's endpoint, how a request to it is built
 * (credentials, headers, the provider's extra headers last) and the {@link HttpExchange}.
 */
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

  /** Puts the format's credentials (and version, where it has one) on {@code options}. */
  abstract void credentials(RequestOptions options);

  /**
   * {@code method {base}{path}} with the format's credentials, then {@code headers}, then the
   * provider's extra headers (which win over the others).
   */
  final RequestOptions request(HttpMethod method, String path, Map<String, String> headers) {
    RequestOptions options =
        new RequestOptions().setMethod(method).setAbsoluteURI(provider.baseUrl() + path);
    credentials(options);
    headers.forEach(options::putHeader);
    provider.extraHeaders().forEach(options::putHeader);
    return options;
  }

  /** Both formats answer {@code {"data": [...], ...}}. */
  private static Void modelList(Buffer body) {
    JsonArray data = body.toJsonObject().getJsonArray("data");
    if (data == null) {
      throw new IllegalArgumentException("no data array");
    }
    return null;
  }
}
