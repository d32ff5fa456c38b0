package dev.soma.resilience.cli;

import dev.soma.resilience.config.ConfigException;

/**
 * What the operator commands hold an option's value to, before anything starts: a number within its
 * range, a short text without control characters, a value that is not blank. A value refused is a
 * {@link ConfigException} that names the option and what was expected: one line and exit code 2, as
 * a bad setting.
 */
final class OptionRules {

  private OptionRules() {}

  /**
   * Refuses {@code option}'s value unless it is null (not given) or within [min, max] {@code unit}:
   * "--batch-size must be from 1 to 10000, but was 0".
   */
  static void within(String option, Number value, double min, double max, String unit) {
    if (value != null && !(value.doubleValue() >= min && value.doubleValue() <= max)) {
      throw new ConfigException(
          option
              + " must be from "
              + plain(min)
              + " to "
              + plain(max)
              + unit
              + ", but was "
              + value);
    }
  }

  /**
   * A short text an operator gives (a name, a label, a reason), kept as given: at most {@code max}
   * characters, and none a control character (a newline or an escape sequence in a tenant's name
   * would reach every listing and log that shows it); the HTTP API refuses the same.
   */
  static void shortText(String option, String value, int max) {
    if (value != null && value.length() > max) {
      throw new ConfigException(
          option + " must be at most " + max + " characters, but has " + value.length());
    }
    if (value != null && value.chars().anyMatch(Character::isISOControl)) {
      throw new ConfigException(option + " must not contain a control character");
    }
  }

  /** Who did it and why are kept on the row: an empty value would keep nothing. */
  static void nonBlank(String option, String value) {
    if (value == null || value.isBlank()) {
      throw new ConfigException(option + " must not be blank");
    }
  }

  private static String plain(double bound) {
    return bound == Math.rint(bound) ? Long.toString((long) bound) : Double.toString(bound);
  }
}
