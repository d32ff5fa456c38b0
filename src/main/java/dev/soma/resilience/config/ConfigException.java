package dev.soma.resilience.config;

/**
 * A configuration value is missing or malformed. The message names the setting (its environment
 * variable when it came from one), the value found and what was expected, so start-up can print it
 * as is.
 */
public final class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(message);
  }

  static ConfigException invalid(String key, Object value, String expected) {
    return new ConfigException(key + " must be " + expected + ", but was '" + value + "'");
  }

  /**
   * {@link #invalid} for the setting at {@code path} (dotted, camelCase, as in {@code conf/}),
   * named by the environment variable that overrides it.
   */
  static ConfigException invalidSetting(String path, Object value, String expected) {
    return invalid(ConfigSource.envName(path), value, expected);
  }
}
