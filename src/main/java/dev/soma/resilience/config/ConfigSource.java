package dev.soma.resilience.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The raw configuration tree: the defaults shipped in the jar ({@code conf/application.json}), an
 * optional file named by {@code SA01_CONFIG_FILE}, then environment variables. Every leaf {@code
 * a.bCd} can be overridden by {@code SA01_A_B_CD}; values keep the type of the default, and a value
 * of the wrong type fails with the variable's name.
 */
public final class ConfigSource {

  static final String PREFIX = "SA01_";
  private static final String DEFAULTS = "conf/application.json";

  private ConfigSource() {}

  /** Loads defaults, the optional file and the given environment, in that order. */
  public static JsonObject load(Map<String, String> env) {
    JsonObject tree = readDefaults();
    String file = env.get(PREFIX + "CONFIG_FILE");
    if (file != null && !file.isBlank()) {
      deepMerge(tree, readFile(Path.of(file)));
    }
    EnvironmentOverlay.apply(tree, env);
    return tree;
  }

  /** The environment variable that overrides the leaf at {@code path} (dotted, camelCase parts). */
  public static String envName(String path) {
    StringBuilder name = new StringBuilder(PREFIX);
    for (char c : path.toCharArray()) {
      if (c == '.') {
        name.append('_');
      } else if (Character.isUpperCase(c)) {
        name.append('_').append(c);
      } else {
        name.append(Character.toUpperCase(c));
      }
    }
    return name.toString().toUpperCase(Locale.ROOT);
  }

  private static void deepMerge(JsonObject target, JsonObject source) {
    for (String key : source.fieldNames()) {
      Object value = source.getValue(key);
      if (value instanceof JsonObject child
          && target.getValue(key) instanceof JsonObject existing) {
        deepMerge(existing, child);
      } else {
        target.put(key, value);
      }
    }
  }

  private static JsonObject readDefaults() {
    try (InputStream in = ConfigSource.class.getClassLoader().getResourceAsStream(DEFAULTS)) {
      if (in == null) {
        throw new ConfigException(
            "the built-in defaults " + DEFAULTS + " are missing from the jar");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigException("cannot read the built-in defaults " + DEFAULTS + ": " + e);
    }
  }

  /** Why a file could not be read, in words: not the Java exception's name. */
  private static String unreadable(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "there is no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "this process may not read it";
    }
    return String.valueOf(e.getMessage());
  }

  private static JsonObject readFile(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw ConfigException.invalid(
          PREFIX + "CONFIG_FILE", file, "a readable JSON file (" + unreadable(e) + ")");
    }
    Object value;
    try {
      value = text.isBlank() ? null : Json.decodeValue(text);
    } catch (DecodeException e) {
      throw ConfigException.invalid(
          PREFIX + "CONFIG_FILE", file, "a JSON object (" + notJson(e) + ")");
    }
    if (value instanceof JsonObject object) {
      return object;
    }
    throw ConfigException.invalid(
        PREFIX + "CONFIG_FILE",
        file,
        "a JSON object (it holds " + (value == null ? "nothing" : "no object at its top") + ")");
  }

  /** Where the JSON went wrong, in one line: not the parser's own message, which spans two. */
  private static String notJson(DecodeException e) {
    if (e.getCause() instanceof JsonProcessingException parse && parse.getLocation() != null) {
      return "not valid JSON at line "
          + parse.getLocation().getLineNr()
          + ", column "
          + parse.getLocation().getColumnNr();
    }
    return "not valid JSON";
  }
}
