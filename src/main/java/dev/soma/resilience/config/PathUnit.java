package dev.soma.resilience.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The unit of time a setting's path names by its ending ({@code ...Ms}, {@code ...Seconds}, {@code
 * ...Hours}): the value in the file and the environment is a whole number of it, and an error
 * message shows the value in it.
 */
enum PathUnit {
  MILLIS("Ms", ChronoUnit.MILLIS),
  SECONDS("Seconds", ChronoUnit.SECONDS),
  HOURS("Hours", ChronoUnit.HOURS);

  private final String suffix;
  private final ChronoUnit unit;

  PathUnit(String suffix, ChronoUnit unit) {
    this.suffix = suffix;
    this.unit = unit;
  }

  /** The unit {@code path} ends with, if any. */
  static Optional<PathUnit> of(String path) {
    for (PathUnit candidate : values()) {
      if (path.endsWith(candidate.suffix)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  Duration duration(long amount) {
    return Duration.of(amount, unit);
  }

  /** {@code value} as a whole number of this unit (rounded down). */
  long amount(Duration value) {
    return switch (this) {
      case MILLIS -> value.toMillis();
      case SECONDS -> value.toSeconds();
      case HOURS -> value.toHours();
    };
  }
}
