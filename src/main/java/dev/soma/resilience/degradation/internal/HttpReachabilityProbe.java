package dev.soma.resilience.degradation.internal;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;

/**
 * A provider declared with a URL: {@code GET url}, and any answer below 500 means reachable (a 401
 * without credentials still proves the service is up). Sends no credentials and costs nothing.
 */
final class HttpReachabilityProbe implements HealthProbe {

  private final WebClient client;
  private final String url;
  private final long timeoutMs;

  HttpReachabilityProbe(Vertx vertx, String url, Duration timeout) {
    this.url = url;
    this.timeoutMs = timeout.toMillis();
    this.client =
        WebClient.create(
            vertx,
            new WebClientOptions().setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs)));
  }

  @Override
  public Future<Void> check() {
    return client
        .getAbs(url)
        .timeout(timeoutMs)
        .send()
        .compose(
            response ->
                response.statusCode() < 500
                    ? Future.succeededFuture()
                    : Future.failedFuture("GET answered " + response.statusCode()));
  }

  @Override
  public Future<Void> close() {
    client.close();
    return Future.succeededFuture();
  }
}
