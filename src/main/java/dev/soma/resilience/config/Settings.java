package dev.soma.resilience.config;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Typed, validated reads from the raw tree; every failure names the overriding variable. */
final class Settings {

  private final JsonObject root;

  Settings(JsonObject root) {
    this.root = root;
  }

  int intIn(String path, long min, long max) {
    Object value = raw(path);
    if (!(value instanceof Number number) || number.longValue() < min || number.longValue() > max) {
      throw ConfigException.invalidSetting(
          path, value, "a whole number from " + min + " to " + max);
    }
    return number.intValue();
  }

  /** A number from {@code min} to {@code max}; refused as written when it is not one. */
  double numberIn(String path, double min, double max) {
    String value = string(path);
    double number;
    try {
      number = Double.parseDouble(value);
    } catch (NumberFormatException e) {
      number = Double.NaN;
    }
    if (!(number >= min && number <= max)) {
      throw ConfigException.invalidSetting(path, value, "a number from " + min + " to " + max);
    }
    return number;
  }

  /**
   * A duration given as a whole number from {@code min} to {@code max} in the unit {@code path}
   * names ({@code ...Ms}, {@code ...Seconds}, {@code ...Hours}).
   */
  Duration duration(String path, long min, long max) {
    PathUnit unit =
        PathUnit.of(path)
            .orElseThrow(() -> new IllegalArgumentException(path + " names no unit of time"));
    return unit.duration(intIn(path, min, max));
  }

  /** A path; {@code fallback} when unset. */
  Path path(String path, Path fallback) {
    String value = string(path);
    return value.isEmpty() ? fallback : Path.of(value);
  }

  boolean bool(String path) {
    Object value = raw(path);
    if (!(value instanceof Boolean flag)) {
      throw ConfigException.invalidSetting(path, value, "true or false");
    }
    return flag;
  }

  String string(String path) {
    Object value = raw(path);
    return value == null ? "" : value.toString().trim();
  }

  String nonEmpty(String path) {
    return Require.nonEmpty(path, string(path));
  }

  String oneOf(String path, String... allowed) {
    return Require.oneOf(path, string(path), allowed);
  }

  /** An optional URL whose scheme is one of {@code schemes}; empty when unset. */
  Optional<URI> url(String path, String... schemes) {
    String value = string(path);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    String expected = "a URL starting with " + String.join("://, ", schemes) + "://";
    try {
      URI uri = new URI(value);
      for (String scheme : schemes) {
        if (scheme.equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null) {
          return Optional.of(uri);
        }
      }
    } catch (Exception e) {
      // reported below with the expected form
    }
    throw ConfigException.invalidSetting(path, redact(value), expected);
  }

  /** A URL that must be set, starting with {@code http://} or {@code https://}. */
  URI httpUrl(String path) {
    return url(path, "http", "https")
        .orElseThrow(
            () ->
                ConfigException.invalidSetting(
                    path, "", "a URL starting with http:// or https://"));
  }

  /** The string leaves of the object at {@code path}, in file order; empty when absent. */
  java.util.Map<String, String> strings(String path) {
    Object value = raw(path);
    java.util.Map<String, String> result = new java.util.LinkedHashMap<>();
    if (value instanceof JsonObject object) {
      for (String key : object.fieldNames()) {
        Object leaf = object.getValue(key);
        if (!(leaf instanceof String text)) {
          throw ConfigException.invalidSetting(path + "." + key, leaf, "a string");
        }
        result.put(key, text.trim());
      }
    } else if (value != null) {
      throw ConfigException.invalidSetting(path, value, "a JSON object of strings");
    }
    return result;
  }

  /** The entries of the comma-separated {@code list}, trimmed, in order; empty ones are dropped. */
  static java.util.List<String> entries(String list) {
    return java.util.Arrays.stream(list.split(","))
        .map(String::trim)
        .filter(entry -> !entry.isEmpty())
        .toList();
  }

  /** The keys of the object at {@code path}, in file order; empty when there is none. */
  java.util.List<String> fieldNames(String path) {
    Object value = raw(path);
    return value instanceof JsonObject node
        ? java.util.List.copyOf(node.fieldNames())
        : java.util.List.of();
  }

  private Object raw(String path) {
    JsonObject node = root;
    String[] parts = path.split("\\.");
    for (int i = 0; i < parts.length - 1; i++) {
      node = node.getJsonObject(parts[i], new JsonObject());
    }
    return node.getValue(parts[parts.length - 1]);
  }

  private static final Pattern HOST =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,252}|[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*");

  /**
   * Whether {@code value} is a host name, an IPv4 address or an IPv6 address (without brackets).
   */
  static boolean isHost(String value) {
    return HOST.matcher(value).matches();
  }

  private static final Pattern HOST_PORT = Pattern.compile("[^,:/\\s]+:(\\d{1,5})");

  /**
   * Whether {@code value} is {@code host:port}, or with {@code list} a comma-separated list of
   * them, every port from 1 to 65535.
   */
  static boolean isHostPorts(String value, boolean list) {
    String[] pairs = value.split(",", -1);
    if (pairs.length > 1 && !list) {
      return false;
    }
    for (String pair : pairs) {
      Matcher matcher = HOST_PORT.matcher(pair);
      if (!matcher.matches()) {
        return false;
      }
      int port = Integer.parseInt(matcher.group(1));
      if (port < 1 || port > 65535) {
        return false;
      }
    }
    return true;
  }

  /**
   * Drops the secrets of a URL so that it can appear in an error message: the password of its user
   * part (everything after the user's {@code :} up to the last {@code @}, since a password may
   * itself contain an unencoded {@code @}, {@code /} or {@code ?}), with or without a {@code
   * scheme://} before it (a {@code host:port/} is left alone), and the values of query parameters
   * whose name suggests a secret ({@code password}, {@code token}, {@code sig}...). Where unsure,
   * it masks too much rather than too little.
   */
  static String redact(String url) {
    return url.replaceAll(
            "^((?:[a-zA-Z][a-zA-Z0-9+.-]*://)?[^:/@?]*:)(?!//)(?!\\d+(?:[/?#]|$)).*@", "$1****@")
        .replaceAll(
            "(?i)([?&][^=&]*(?:pass|pwd|secret|token|key|sig|auth|credential)[^=&]*=)[^&]*",
            "$1****");
  }
}
