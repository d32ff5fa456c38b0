package dev.soma.resilience.failover.chain;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads how long a provider asked not to be called: {@code retry-after-ms} (OpenAI's), else {@code
 * Retry-After} as delta-seconds or an HTTP date (RFC 9110 section 10.2.3). A date in the past is a
 * zero wait; anything unreadable is no answer.
 */
public final class RetryAfter {

  private RetryAfter() {}

  /** From response headers, looked up by (case-insensitive) name. */
  public static Optional<Duration> from(Function<String, String> headers, Clock clock) {
    String ms = headers.apply("retry-after-ms");
    if (ms != null && ms.trim().matches("\\d+")) {
      return Optional.of(Duration.ofMillis(Long.parseLong(ms.trim())));
    }
    return parse(headers.apply("retry-after"), clock);
  }

  /** One {@code Retry-After} value. */
  public static Optional<Duration> parse(String value, Clock clock) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    String text = value.trim();
    try {
      if (text.matches("\\d+")) {
        return Optional.of(Duration.ofSeconds(Long.parseLong(text)));
      }
      ZonedDateTime at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME);
      Duration wait = Duration.between(clock.instant(), at.toInstant());
      return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
    } catch (RuntimeException unreadable) {
      return Optional.empty();
    }
  }
}
