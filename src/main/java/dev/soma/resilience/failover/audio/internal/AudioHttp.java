package dev.soma.resilience.failover.audio.internal;

import dev.soma.resilience.failover.chain.ProviderFailure;
import dev.soma.resilience.failover.chain.RetryAfter;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.time.Clock;

/**
 * The HTTP side the audio links share: one client, their timeout, absolute URLs under a configured
 * base URL (which may carry a path prefix, a proxy), and what a non-2xx answer means ({@link
 * ProviderFailure#ofStatus}, with the provider's Retry-After).
 */
public record AudioHttp(WebClient client, Clock clock, long timeoutMillis) {

  private static final int MAX_DETAIL = 300;

  /** A POST to {@code path} under {@code base}, with the links' timeout. */
  HttpRequest<Buffer> post(URI base, String path) {
    String root = base.toString();
    String url = (root.endsWith("/") ? root.substring(0, root.length() - 1) : root) + path;
    return client.postAbs(url).timeout(timeoutMillis);
  }

  /** {@code response} when 2xx, otherwise a {@link ProviderFailure}. */
  HttpResponse<Buffer> require2xx(String provider, HttpResponse<Buffer> response) {
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return response;
    }
    throw ProviderFailure.ofStatus(
        status,
        provider + " answered " + status + ": " + excerpt(response.bodyAsString()),
        RetryAfter.from(response::getHeader, clock));
  }

  private static String excerpt(String body) {
    if (body == null) {
      return "(no body)";
    }
    return body.length() <= MAX_DETAIL ? body : body.substring(0, MAX_DETAIL) + "...";
  }
}
