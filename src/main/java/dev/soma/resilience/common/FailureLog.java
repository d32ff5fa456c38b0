package dev.soma.resilience.common;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Decides when a repeated failure is worth a log line, so that an outage does not flood the log it
 * is diagnosed from: the first failure of a cause is logged, later ones of the same cause are
 * counted, and one line with the count is allowed once per {@code every}. A cause is the failure's
 * innermost exception's class and message. Thread-safe (a failure racing the turn of a period may
 * go uncounted); forgets every cause when it has seen more than {@link #MAX_CAUSES} (then the next
 * of each is logged again).
 */
public final class FailureLog {

  static final int MAX_CAUSES = 1_000;

  /** Whether to log now, and how many failures of the cause were not logged before this one. */
  public record Verdict(boolean log, boolean first, long suppressed) {}

  private record Cause(long loggedAt, AtomicLong suppressed) {}

  private final Clock clock;
  private final Duration every;
  private final Map<String, Cause> causes = new ConcurrentHashMap<>();

  public FailureLog(Clock clock, Duration every) {
    this.clock = clock;
    this.every = every;
  }

  /** Counts {@code failure} and says whether to log it. */
  public Verdict record(Throwable failure) {
    if (causes.size() > MAX_CAUSES) {
      causes.clear();
    }
    long now = clock.millis();
    String key = key(failure);
    Cause seen = causes.putIfAbsent(key, new Cause(now, new AtomicLong()));
    if (seen == null) {
      return new Verdict(true, true, 0);
    }
    if (now - seen.loggedAt() >= every.toMillis()
        && causes.replace(key, seen, new Cause(now, new AtomicLong()))) {
      return new Verdict(true, false, seen.suppressed().get());
    }
    seen.suppressed().incrementAndGet();
    return new Verdict(false, false, 0);
  }

  /**
   * Logs {@code failure} of a background round ({@code what}: "outbox relay r1: claim failed") as a
   * warning without its stack trace, when {@link #record} says it is worth a line; the later lines
   * carry the count of the failures left out since the last one. Returns whether it logged.
   */
  public boolean warn(Logger log, String what, Throwable failure) {
    Verdict verdict = record(failure);
    if (verdict.first()) {
      log.warn("{}: {} (the same again is counted, one line {})", what, failure, per());
    } else if (verdict.log()) {
      log.warn(
          "{}: {} ({} more failed the same way since the last line)",
          what,
          failure,
          verdict.suppressed());
    }
    return verdict.log();
  }

  private String per() {
    return every.toSeconds() % 60 == 0 ? "every " + every.toMinutes() + " min" : "every " + every;
  }

  /** The innermost cause's class and message: what the same outage has in common. */
  static String key(Throwable failure) {
    Throwable root = failure;
    for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < 10; depth++) {
      root = root.getCause();
    }
    return root.getClass().getName() + ": " + root.getMessage();
  }
}
