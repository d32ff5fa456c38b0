package dev.soma.resilience.config;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Kafka settings. The producer always runs idempotent with {@code acks=all} and unbounded retries
 * inside {@code deliveryTimeoutMs}; these are the knobs that may differ per installation.
 *
 * @throws ConfigException when the bootstrap servers are not {@code host:port} pairs, the delivery
 *     timeout is shorter than the request timeout and the linger together, a time or size is out of
 *     its range, or the compression type or security protocol is unknown
 */
public record KafkaConfig(
    Optional<String> bootstrapServers,
    int embeddedPort,
    String compressionType,
    int lingerMs,
    int batchSizeBytes,
    int deliveryTimeoutMs,
    int requestTimeoutMs,
    int maxBlockMs,
    int maxRequestSizeBytes,
    Security security) {

  /**
   * How every Kafka client of ours (producer, admin) authenticates to an external cluster: the
   * {@code security.protocol}, the authority (PEM) the brokers' certificates must chain to (none:
   * the JVM's default trust store), the client's own certificate for brokers that ask for one
   * (mutual TLS), and a SASL mechanism with its user name and password.
   */
  public record Security(
      String protocol,
      Optional<Path> caFile,
      Optional<ClientCertificate> clientCertificate,
      Optional<String> saslMechanism,
      String saslUsername,
      Secret saslPassword) {

    public Security {
      Require.oneOf(
          "kafka.securityProtocol", protocol, "PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
      Require.present("kafka.sslCaFile", caFile);
      Require.present("kafka.sslCertFile", clientCertificate);
      Require.present("kafka.saslMechanism", saslMechanism);
      Require.present("kafka.saslUsername", saslUsername);
      Require.present("kafka.saslPassword", saslPassword);
    }

    public static final Security PLAINTEXT =
        new Security(
            "PLAINTEXT", Optional.empty(), Optional.empty(), Optional.empty(), "", new Secret(""));

    /** The client properties that say the above; none for {@code PLAINTEXT}. */
    public Map<String, String> clientProperties() {
      Map<String, String> properties = new HashMap<>();
      if (protocol.equals("PLAINTEXT")) {
        return properties;
      }
      properties.put("security.protocol", protocol);
      caFile.ifPresent(
          file -> {
            properties.put("ssl.truststore.type", "PEM");
            properties.put("ssl.truststore.location", file.toString());
          });
      clientCertificate.ifPresent(
          client -> {
            properties.put("ssl.keystore.type", "PEM");
            properties.put("ssl.keystore.certificate.chain", client.chain());
            properties.put("ssl.keystore.key", client.key().value());
          });
      saslMechanism.ifPresent(
          mechanism -> {
            properties.put("sasl.mechanism", mechanism);
            properties.put(
                "sasl.jaas.config",
                (mechanism.equals("PLAIN")
                        ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                        : "org.apache.kafka.common.security.scram.ScramLoginModule")
                    + " required username=\""
                    + jaasEscape(saslUsername)
                    + "\" password=\""
                    + jaasEscape(saslPassword.value())
                    + "\";");
          });
      return properties;
    }

    @Override
    public String toString() {
      return protocol
          + saslMechanism.map(m -> "/" + m + " as " + saslUsername).orElse("")
          + clientCertificate.map(c -> ", with a client certificate").orElse("");
    }

    /**
     * A JAAS option value is a quoted string in which {@code \} escapes, and which a raw line break
     * would end.
     */
    private static String jaasEscape(String value) {
      return value
          .replace("\\", "\\\\")
          .replace("\"", "\\\"")
          .replace("\n", "\\n")
          .replace("\r", "\\r");
    }
  }

  public KafkaConfig {
    Require.present("kafka.bootstrapServers", bootstrapServers);
    bootstrapServers.ifPresent(
        servers -> {
          if (!Settings.isHostPorts(servers, true)) {
            throw ConfigException.invalidSetting(
                "kafka.bootstrapServers",
                servers,
                "host:port[,host:port...] with ports from 1 to 65535");
          }
        });
    Require.between("kafka.embeddedPort", embeddedPort, 1, 65535);
    Require.oneOf(
        "kafka.compressionType", compressionType, "none", "gzip", "snappy", "lz4", "zstd");
    Require.atLeast("kafka.lingerMs", lingerMs, 0);
    Require.atLeast("kafka.batchSizeBytes", batchSizeBytes, 0);
    Require.atLeast("kafka.requestTimeoutMs", requestTimeoutMs, 1);
    if (deliveryTimeoutMs < requestTimeoutMs + lingerMs) {
      throw ConfigException.invalidSetting(
          "kafka.deliveryTimeoutMs",
          deliveryTimeoutMs,
          "at least kafka.requestTimeoutMs + kafka.lingerMs ("
              + (requestTimeoutMs + lingerMs)
              + ")");
    }
    Require.atLeast("kafka.maxBlockMs", maxBlockMs, 0);
    Require.atLeast("kafka.maxRequestSizeBytes", maxRequestSizeBytes, 1);
    Require.present("kafka.security", security);
  }

  static KafkaConfig from(Settings s) {
    String servers = s.string("kafka.bootstrapServers");
    int request = s.intIn("kafka.requestTimeoutMs", 1000, 600_000);
    int linger = s.intIn("kafka.lingerMs", 0, 60_000);
    int delivery = s.intIn("kafka.deliveryTimeoutMs", 1000, 3_600_000);
    return new KafkaConfig(
        servers.isEmpty() ? Optional.empty() : Optional.of(servers),
        s.intIn("kafka.embeddedPort", 1, 65535),
        s.oneOf("kafka.compressionType", "none", "gzip", "snappy", "lz4", "zstd"),
        linger,
        s.intIn("kafka.batchSizeBytes", 0, 16 * 1024 * 1024),
        delivery,
        request,
        s.intIn("kafka.maxBlockMs", 0, 600_000),
        s.intIn("kafka.maxRequestSizeBytes", 1024, 64 * 1024 * 1024),
        KafkaSecuritySettings.read(s, !servers.isEmpty()));
  }

  /** The client's certificate chain and its private key (unencrypted PKCS#8), both PEM text. */
  public record ClientCertificate(String chain, Secret key) {}
}
