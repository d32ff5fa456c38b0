package dev.soma.resilience.degradation.internal;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;

/**
 * A provider declared with a URL: {@code GET url}, and any answer below 500 means reachable (a 401
 * without credentials still proves the service is up). Sends no credentials and costs nothing.
 */
final class HttpReachabilityProbe extends HttpGetProbe {

  HttpReachabilityProbe(Vertx vertx, String url, Duration timeout) {
    super(vertx, url, timeout);
  }

  @Override
  Future<Void> judge(HttpResponse<Buffer> response) {
    return response.statusCode() < 500
        ? Future.succeededFuture()
        : Future.failedFuture("GET answered " + response.statusCode());
  }
}
