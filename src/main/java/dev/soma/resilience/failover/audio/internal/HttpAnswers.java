package dev.soma.resilience.failover.audio.internal;

import dev.soma.resilience.failover.breaker.CallOutcome;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a provider's non-2xx answer into a {@link ProviderCallFailure}: 400/422 are the caller's
 * fault (no failover), 401/403 a misconfigured key (logged loudly, fails over), 429 (with its
 * {@code Retry-After}) and everything else a dependency failure.
 */
final class HttpAnswers {

  private static final Logger LOG = LoggerFactory.getLogger(HttpAnswers.class);
  private static final int MAX_DETAIL = 300;

  private HttpAnswers() {}

  /** {@code response} when 2xx, otherwise a failed call. */
  static HttpResponse<Buffer> require2xx(
      String provider, HttpResponse<Buffer> response, Clock clock) {
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return response;
    }
    String detail = provider + " answered " + status + ": " + excerpt(response.bodyAsString());
    if (status == 400 || status == 422) {
      throw new ProviderCallFailure(CallOutcome.CALLER_FAULT, status, Duration.ZERO, detail);
    }
    if (status == 401 || status == 403) {
      LOG.error(
          "{} rejected our credential ({}): check its API key in the configuration",
          provider,
          status);
    }
    Duration retryAfter =
        status == 429 ? retryAfter(response.getHeader("Retry-After"), clock) : Duration.ZERO;
    throw new ProviderCallFailure(CallOutcome.DEPENDENCY_FAILURE, status, retryAfter, detail);
  }

  /** Seconds or an HTTP date; zero when absent or unreadable. */
  static Duration retryAfter(String header, Clock clock) {
    if (header == null || header.isBlank()) {
      return Duration.ZERO;
    }
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim())));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration wait = Duration.between(clock.instant(), at.toInstant());
        return wait.isNegative() ? Duration.ZERO : wait;
      } catch (RuntimeException notADate) {
        return Duration.ZERO;
      }
    }
  }

  private static String excerpt(String body) {
    if (body == null) {
      return "(no body)";
    }
    return body.length() <= MAX_DETAIL ? body : body.substring(0, MAX_DETAIL) + "...";
  }
}
