package dev.soma.resilience.config;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where PostgreSQL is, and how to reach it: parsed from {@code
 * postgresql://user:pass@host:port/db}, optionally with libpq's TLS parameters {@code sslmode},
 * {@code sslrootcert}, {@code sslcert} and {@code sslkey}. {@link #toString()} never shows the
 * password.
 */
public record DatabaseUrl(
    String host, int port, String database, String user, String password, Tls tls) {

  static final String VARIABLE = "SA01_DATABASE_URL";

  private static final List<String> PARAMETERS =
      List.of("sslmode", "sslrootcert", "sslcert", "sslkey");

  private static final String EXPECTED =
      "a URL of the form postgresql://user:pass@host:port/db[?sslmode=...&sslrootcert=...]";

  /** A plain-text connection, as every URL without {@code sslmode} asks for. */
  public DatabaseUrl(String host, int port, String database, String user, String password) {
    this(host, port, database, user, password, Tls.DISABLED);
  }

  /** libpq's {@code sslmode}: whether to use TLS, and what to verify. */
  public enum SslMode {
    /** Never TLS (the default: a URL without {@code sslmode}). */
    DISABLE("disable"),
    /** Plain text first; TLS, unverified, if the server insists. */
    ALLOW("allow"),
    /** TLS, unverified, if the server offers it; else plain text. */
    PREFER("prefer"),
    /** Always TLS; the server's certificate is not verified. */
    REQUIRE("require"),
    /** Always TLS; the server's certificate must be signed by {@code sslrootcert}. */
    VERIFY_CA("verify-ca"),
    /** As {@code verify-ca}, and the certificate must name the host connected to. */
    VERIFY_FULL("verify-full");

    private final String value;

    SslMode(String value) {
      this.value = value;
    }

    /** The name in the URL, which libpq, JDBC and the Vert.x client all understand. */
    public String value() {
      return value;
    }

    public boolean verifiesCertificate() {
      return this == VERIFY_CA || this == VERIFY_FULL;
    }

    static Optional<SslMode> of(String value) {
      return Arrays.stream(values()).filter(mode -> mode.value.equals(value)).findFirst();
    }
  }

  /**
   * TLS to the server: the mode, for the verifying modes the CA certificate (PEM) the server's
   * certificate must chain to, and the client's own certificate for servers that authenticate
   * clients by certificate.
   */
  public record Tls(SslMode mode, Optional<Path> rootCert, Optional<ClientCertificate> client) {

    public static final Tls DISABLED = new Tls(SslMode.DISABLE, Optional.empty(), Optional.empty());

    public Tls {
      if (mode.verifiesCertificate() != rootCert.isPresent()) {
        throw new IllegalArgumentException(
            "a root certificate goes with verify-ca and verify-full, and only with them");
      }
    }
  }

  /** libpq's {@code sslcert} and {@code sslkey}: the client's certificate and private key, PEM. */
  public record ClientCertificate(Path certificate, Path privateKey, String keyAlgorithm) {}

  /** Parses the URL form above; {@code postgres://} is accepted too. */
  public static DatabaseUrl parse(String value) {
    try {
      return parseUri(value);
    } catch (IllegalArgumentException e) { // a broken %-escape
      throw invalid(value, " (with valid %-escapes)");
    }
  }

  private static DatabaseUrl parseUri(String value) {
    URI uri;
    try {
      uri = new URI(value.trim());
    } catch (Exception e) {
      throw invalid(value, "");
    }
    String scheme = uri.getScheme();
    String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
    if (scheme == null
        || !(scheme.equals("postgresql") || scheme.equals("postgres"))
        || uri.getHost() == null
        || uri.getPort() == 0
        || uri.getPort() > 65535
        || path.isEmpty()
        || uri.getRawFragment() != null) {
      throw invalid(value, "");
    }
    String user = "postgres";
    String password = "";
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = decode(parts[0]);
      password = parts.length > 1 ? decode(parts[1]) : "";
    }
    int port = uri.getPort() == -1 ? 5432 : uri.getPort();
    return new DatabaseUrl(uri.getHost(), port, path, user, password, tls(value, uri));
  }

  /**
   * The TLS parameters. Anything else in the query is refused, not ignored: a parameter this
   * service does not apply would silently connect without what it asked for.
   */
  private static Tls tls(String value, URI uri) {
    Map<String, String> params = queryParameters(value, uri);
    String modeName = params.getOrDefault("sslmode", SslMode.DISABLE.value());
    SslMode mode =
        SslMode.of(modeName)
            .orElseThrow(
                () ->
                    invalid(
                        value,
                        " (sslmode is one of "
                            + Arrays.stream(SslMode.values())
                                .map(SslMode::value)
                                .collect(Collectors.joining(", "))
                            + ")"));
    Optional<Path> rootCert = Optional.ofNullable(params.get("sslrootcert")).map(Path::of);
    if (mode.verifiesCertificate() && rootCert.isEmpty()) {
      throw invalid(
          value, " (sslmode=" + modeName + " needs sslrootcert=<the CA certificate file, PEM>)");
    }
    if (!mode.verifiesCertificate() && rootCert.isPresent()) {
      throw invalid(
          value, " (sslrootcert is used only with sslmode=verify-ca or sslmode=verify-full)");
    }
    rootCert
        .flatMap(Pem::certificatesProblem)
        .ifPresent(
            problem -> {
              throw invalid(value, " (sslrootcert " + problem + ")");
            });
    return new Tls(mode, rootCert, clientCertificate(value, mode, params));
  }

  /** The query's parameters: only known ones, each once with a non-empty value. */
  private static Map<String, String> queryParameters(String value, URI uri) {
    Map<String, String> params = new HashMap<>();
    if (uri.getRawQuery() != null) {
      for (String param : uri.getRawQuery().split("&", -1)) {
        String[] pair = param.split("=", 2);
        String name = decode(pair[0]);
        if (!PARAMETERS.contains(name)) {
          throw invalid(
              value,
              " (the only query parameters supported are "
                  + String.join(", ", PARAMETERS)
                  + ", not '"
                  + name
                  + "')");
        }
        if (pair.length < 2 || pair[1].isEmpty() || params.put(name, decode(pair[1])) != null) {
          throw invalid(value, " (" + name + " needs exactly one non-empty value)");
        }
      }
    }
    return params;
  }

  /**
   * {@code sslcert} and {@code sslkey}: both or neither, with a mode that uses TLS, read and
   * checked now (the key must be the certificate's, RSA or EC, unencrypted PKCS#8).
   */
  private static Optional<ClientCertificate> clientCertificate(
      String value, SslMode mode, Map<String, String> params) {
    String cert = params.get("sslcert");
    String key = params.get("sslkey");
    if (cert == null && key == null) {
      return Optional.empty();
    }
    if (cert == null || key == null) {
      throw invalid(value, " (sslcert and sslkey go together)");
    }
    if (mode == SslMode.DISABLE) {
      throw invalid(value, " (a client certificate needs an sslmode other than disable)");
    }
    try {
      return Optional.of(ClientKeyFiles.read(Path.of(cert), Path.of(key)));
    } catch (IllegalArgumentException e) {
      throw invalid(value, " (client certificate: " + e.getMessage() + ")");
    }
  }

  private static ConfigException invalid(String value, String why) {
    return ConfigException.invalid(VARIABLE, Settings.redact(value), EXPECTED + why);
  }

  /**
   * The same database for the JDBC driver (the migrations), TLS parameters included; the driver
   * verifies nothing in the modes that verify nothing, as libpq.
   */
  public String jdbcUrl() {
    String base = "jdbc:postgresql://" + host + ":" + port + "/" + database;
    if (tls.mode() == SslMode.DISABLE) {
      return base + "?sslmode=disable"; // the driver's own default is prefer
    }
    String url =
        base
            + "?sslmode="
            + tls.mode().value()
            + tls.rootCert().map(cert -> "&sslrootcert=" + encode(cert.toString())).orElse("");
    if (tls.client().isPresent()) {
      // the driver's default factory presents the client certificate (and, without a root
      // certificate, verifies nothing in these modes either)
      ClientCertificate client = tls.client().get();
      return url
          + "&sslcert="
          + encode(client.certificate().toString())
          + "&sslkey="
          + encode(client.privateKey().toString())
          // the driver reads a PEM key as RSA unless told otherwise
          + "&pemKeyAlgorithm="
          + client.keyAlgorithm();
    }
    return tls.rootCert().isPresent()
        ? url
        : url + "&sslfactory=org.postgresql.ssl.NonValidatingFactory";
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
        + database
        + (tls.mode() == SslMode.DISABLE ? "" : "?sslmode=" + tls.mode().value());
  }

  /** Percent-decoding only: {@link URLDecoder} alone would turn a {@code +} into a space. */
  private static String decode(String part) {
    return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static String encode(String part) {
    return URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
