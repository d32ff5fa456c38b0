package dev.soma.resilience.degradation.internal;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URI;
import java.time.Duration;

/**
 * SomaBrain: {@code GET {base}/health}, which answers 200 even when broken, so the truth is its
 * boolean field {@code ready} (see contracts/somabrain.md). Refused, timed out, 5xx, a body that is
 * not that JSON, or {@code ready: false} all count as a failure.
 */
final class SomaBrainProbe extends HttpGetProbe {

  SomaBrainProbe(Vertx vertx, URI base, Duration timeout) {
    super(vertx, base.toString().replaceAll("/+$", "") + "/health", timeout);
  }

  @Override
  Future<Void> judge(HttpResponse<Buffer> response) {
    if (response.statusCode() != 200) {
      return Future.failedFuture("GET /health answered " + response.statusCode());
    }
    JsonObject body;
    try {
      body = response.bodyAsJsonObject();
    } catch (RuntimeException e) {
      return Future.failedFuture("GET /health answered a body that is not JSON");
    }
    if (body == null || !(body.getValue("ready") instanceof Boolean ready)) {
      return Future.failedFuture("GET /health answered without a boolean 'ready'");
    }
    return ready
        ? Future.succeededFuture()
        : Future.failedFuture("not ready (status " + body.getValue("status") + ")");
  }
}
