package dev.soma.resilience.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The checks config records make in their canonical constructors, so that no invalid one can be
 * built, by the loader or by {@code new}. Each names the setting by its variable ({@code SA01_...},
 * from its config path), the value (in the unit the path names: {@code ...Ms}, {@code ...Seconds},
 * {@code ...Hours}) and what was expected, the same way the loader does.
 */
final class Require {

  private Require() {}

  static <T> T present(String path, T value) {
    if (value == null) {
      throw ConfigException.invalidSetting(path, null, "set");
    }
    return value;
  }

  static int atLeast(String path, int value, int min) {
    if (value < min) {
      throw ConfigException.invalidSetting(path, value, "at least " + min);
    }
    return value;
  }

  static int between(String path, int value, int min, int max) {
    if (value < min || value > max) {
      throw ConfigException.invalidSetting(path, value, "from " + min + " to " + max);
    }
    return value;
  }

  /** A number from {@code min} to {@code max} (never NaN). */
  static double numberIn(String path, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      throw ConfigException.invalidSetting(path, value, "a number from " + min + " to " + max);
    }
    return value;
  }

  static Duration positive(String path, Duration value) {
    present(path, value);
    if (value.isNegative() || value.isZero()) {
      throw ConfigException.invalidSetting(path, inUnit(path, value), "positive");
    }
    return value;
  }

  /** A positive duration of {@code min} to {@code max} milliseconds. */
  static Duration millisBetween(String path, Duration value, int min, int max) {
    between(path, (int) positive(path, value).toMillis(), min, max);
    return value;
  }

  static Duration notNegative(String path, Duration value) {
    present(path, value);
    if (value.isNegative()) {
      throw ConfigException.invalidSetting(path, inUnit(path, value), "zero or more");
    }
    return value;
  }

  /** {@code value} at least {@code min}, which is the setting at {@code minPath}. */
  static Duration notBelow(String path, Duration value, String minPath, Duration min) {
    present(path, value);
    if (value.compareTo(min) < 0) {
      throw ConfigException.invalidSetting(
          path, inUnit(path, value), "at least " + minPath + " (" + inUnit(minPath, min) + ")");
    }
    return value;
  }

  static String nonEmpty(String path, String value) {
    if (value == null || value.isEmpty()) {
      throw ConfigException.invalidSetting(path, Objects.toString(value, ""), "a non-empty value");
    }
    return value;
  }

  static String oneOf(String path, String value, String... allowed) {
    for (String candidate : allowed) {
      if (candidate.equals(value)) {
        return value;
      }
    }
    throw ConfigException.invalidSetting(path, value, "one of " + String.join(", ", allowed));
  }

  private static Object inUnit(String path, Duration value) {
    return PathUnit.of(path).<Object>map(unit -> unit.amount(value)).orElse(value);
  }
}
