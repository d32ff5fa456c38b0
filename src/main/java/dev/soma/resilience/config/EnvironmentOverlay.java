package dev.soma.resilience.config;

import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * The environment laid over the configuration tree: every leaf {@code a.bCd} is replaced by the
 * variable {@code SA01_A_B_CD} when that is set ({@link ConfigSource#envName}), trimmed and of the
 * leaf's type as the defaults give it (a whole number, true or false, else text); a value of
 * another type fails with the variable's name. Variables that name no leaf are ignored.
 */
final class EnvironmentOverlay {

  private EnvironmentOverlay() {}

  /** Replaces, in {@code tree}, each leaf that {@code env} overrides. */
  static void apply(JsonObject tree, Map<String, String> env) {
    overlay(tree, "", env);
  }

  private static void overlay(JsonObject node, String prefix, Map<String, String> env) {
    for (String key : node.fieldNames()) {
      String path = prefix.isEmpty() ? key : prefix + "." + key;
      Object current = node.getValue(key);
      if (current instanceof JsonObject child) {
        overlay(child, path, env);
        continue;
      }
      String variable = ConfigSource.envName(path);
      String raw = env.get(variable);
      if (raw != null) {
        node.put(key, convert(variable, raw, current));
      }
    }
  }

  private static Object convert(String variable, String raw, Object template) {
    String value = raw.trim();
    if (template instanceof Number) {
      try {
        return Long.parseLong(value);
      } catch (NumberFormatException e) {
        throw ConfigException.invalid(variable, raw, "a whole number");
      }
    }
    if (template instanceof Boolean) {
      if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
        return Boolean.parseBoolean(value);
      }
      throw ConfigException.invalid(variable, raw, "true or false");
    }
    return value;
  }
}
