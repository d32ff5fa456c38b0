package dev.soma.resilience.degradation.internal;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;

/**
 * A probe that sends {@code GET url} (connecting and answering within the timeout, no credentials)
 * and judges the answer as its subclass says; a refused or timed-out request is a failure.
 */
abstract class HttpGetProbe implements HealthProbe {

  private final WebClient client;
  private final String url;
  private final long timeoutMs;

  HttpGetProbe(Vertx vertx, String url, Duration timeout) {
    this.url = url;
    this.timeoutMs = timeout.toMillis();
    this.client =
        WebClient.create(
            vertx,
            new WebClientOptions().setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs)));
  }

  /** Succeeds when {@code response} shows the dependency usable, else fails saying why not. */
  abstract Future<Void> judge(HttpResponse<Buffer> response);

  @Override
  public final Future<Void> check() {
    return client.getAbs(url).timeout(timeoutMs).send().compose(this::judge);
  }

  @Override
  public final Future<Void> close() {
    client.close();
    return Future.succeededFuture();
  }
}
