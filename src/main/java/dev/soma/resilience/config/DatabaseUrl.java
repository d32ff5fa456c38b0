package dev.soma.resilience.config;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Where PostgreSQL is: parsed from {@code postgresql://user:pass@host:port/db}. {@link #toString()}
 * never shows the password.
 */
public record DatabaseUrl(String host, int port, String database, String user, String password) {

  static final String VARIABLE = "SA01_DATABASE_URL";

  /** Parses the URL form above; {@code postgres://} is accepted too. */
  public static DatabaseUrl parse(String value) {
    String expected = "a URL of the form postgresql://user:pass@host:port/db";
    URI uri;
    try {
      uri = new URI(value.trim());
    } catch (Exception e) {
      throw ConfigException.invalid(VARIABLE, Settings.redact(value), expected);
    }
    String scheme = uri.getScheme();
    String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
    if (scheme == null
        || !(scheme.equals("postgresql") || scheme.equals("postgres"))
        || uri.getHost() == null
        || uri.getPort() == 0
        || uri.getPort() > 65535
        || path.isEmpty()) {
      throw ConfigException.invalid(VARIABLE, Settings.redact(value), expected);
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      // ignoring one (sslmode=require) would silently connect without what was asked for
      throw ConfigException.invalid(
          VARIABLE,
          Settings.redact(value),
          expected + " without query parameters (none, TLS options included, is supported yet)");
    }
    String user = "postgres";
    String password = "";
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = decode(parts[0]);
      password = parts.length > 1 ? decode(parts[1]) : "";
    }
    int port = uri.getPort() == -1 ? 5432 : uri.getPort();
    return new DatabaseUrl(uri.getHost(), port, path, user, password);
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  @Override
  public String toString() {
    return "postgresql://"
        + user
        + (password.isEmpty() ? "" : ":****")
        + "@"
        + host
        + ":"
        + port
        + "/"
        + database;
  }

  /** Percent-decoding only: {@link URLDecoder} alone would turn a {@code +} into a space. */
  private static String decode(String part) {
    return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
