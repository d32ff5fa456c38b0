package dev.soma.resilience.degradation.internal;

import dev.soma.resilience.degradation.DegradationLevel;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * Damps flapping in the events written to Kafka. For each service it remembers the last level
 * written and when each level was last written, and decides for a new level:
 *
 * <ul>
 *   <li>the level already written last: nothing new, not written;
 *   <li>{@code critical}: always written;
 *   <li>lower than the last written (a recovery): always written;
 *   <li>worse, but this same level was written for this service within the window: suppressed;
 *   <li>otherwise written.
 * </ul>
 *
 * A suppressed level is not forgotten: the caller asks again later (on its evaluation tick), and it
 * is written once the window has passed if the service is still there. Before anything was written
 * the last level counts as {@code none}, so a healthy start writes nothing. Deterministic: time is
 * passed in. Not thread-safe: one event loop owns it.
 */
final class SuppressionWindow {

  private final Duration window;
  private final Map<String, DegradationLevel> lastWritten = new HashMap<>();
  private final Map<String, Map<DegradationLevel, Instant>> writtenAt = new HashMap<>();

  SuppressionWindow(Duration window) {
    this.window = window;
  }

  /**
   * Whether an event for {@code service} reaching {@code level} at {@code now} should be written.
   */
  boolean shouldWrite(String service, DegradationLevel level, Instant now) {
    DegradationLevel last = lastWritten(service);
    if (level == last) {
      return false;
    }
    if (level == DegradationLevel.CRITICAL || last.isWorseThan(level)) {
      return true;
    }
    Instant previous = writtenAt.getOrDefault(service, Map.of()).get(level);
    return previous == null || !now.isBefore(previous.plus(window));
  }

  /** Records that the event was written. */
  void written(String service, DegradationLevel level, Instant now) {
    lastWritten.put(service, level);
    writtenAt.computeIfAbsent(service, s -> new EnumMap<>(DegradationLevel.class)).put(level, now);
  }

  DegradationLevel lastWritten(String service) {
    return lastWritten.getOrDefault(service, DegradationLevel.NONE);
  }
}
