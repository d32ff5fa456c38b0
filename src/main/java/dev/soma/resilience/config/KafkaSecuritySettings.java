package dev.soma.resilience.config;

import dev.soma.resilience.config.KafkaConfig.ClientCertificate;
import dev.soma.resilience.config.KafkaConfig.Security;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * Reads and checks the {@code kafka.security*}, {@code kafka.ssl*} and {@code kafka.sasl*} settings
 * into a {@link Security}: PLAINTEXT while Kafka is embedded; a CA file and a client certificate
 * only with TLS, and readable; SASL settings exactly when the protocol is SASL. The files are read
 * now, so a wrong one stops start-up with the reason.
 */
final class KafkaSecuritySettings {

  private KafkaSecuritySettings() {}

  static Security read(Settings s, boolean external) {
    String protocol =
        s.oneOf("kafka.securityProtocol", "PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
    String caFile = s.string("kafka.sslCaFile");
    String mechanism = s.string("kafka.saslMechanism");
    String username = s.string("kafka.saslUsername");
    Secret password = new Secret(s.string("kafka.saslPassword"));
    boolean tls = protocol.endsWith("SSL");
    boolean sasl = protocol.startsWith("SASL_");
    if (!external && !protocol.equals("PLAINTEXT")) {
      throw ConfigException.invalidSetting(
          "kafka.securityProtocol",
          protocol,
          "PLAINTEXT while Kafka is embedded (set SA01_KAFKA_BOOTSTRAP_SERVERS for an external"
              + " cluster)");
    }
    checkCaFile(caFile, tls);
    Optional<ClientCertificate> client = clientCertificate(s, tls);
    checkSasl(s, protocol, sasl, mechanism, username, password);
    return new Security(
        protocol,
        caFile.isEmpty() ? Optional.empty() : Optional.of(Path.of(caFile)),
        client,
        sasl ? Optional.of(mechanism) : Optional.empty(),
        username,
        password);
  }

  /** A CA file only with TLS, and then a readable PEM file of certificates. */
  private static void checkCaFile(String caFile, boolean tls) {
    if (caFile.isEmpty()) {
      return;
    }
    if (!tls) {
      throw ConfigException.invalidSetting(
          "kafka.sslCaFile", caFile, "empty unless kafka.securityProtocol is SSL or SASL_SSL");
    }
    Pem.certificatesProblem(Path.of(caFile))
        .ifPresent(
            problem -> {
              throw ConfigException.invalidSetting(
                  "kafka.sslCaFile", caFile, "a PEM file of CA certificates (" + problem + ")");
            });
  }

  /** With SASL a known mechanism, a user name and a password; without it, none of them. */
  private static void checkSasl(
      Settings s,
      String protocol,
      boolean sasl,
      String mechanism,
      String username,
      Secret password) {
    if (sasl) {
      s.oneOf("kafka.saslMechanism", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");
      if (username.isEmpty() || !password.isSet()) {
        throw ConfigException.invalidSetting(
            username.isEmpty() ? "kafka.saslUsername" : "kafka.saslPassword",
            "",
            "set when kafka.securityProtocol is " + protocol);
      }
    } else if (!mechanism.isEmpty() || !username.isEmpty() || password.isSet()) {
      throw ConfigException.invalidSetting(
          "kafka.securityProtocol",
          protocol,
          "SASL_PLAINTEXT or SASL_SSL when a SASL mechanism, user name or password is set");
    }
  }

  /**
   * The client certificate of {@code kafka.sslCertFile} and {@code kafka.sslKeyFile}: both or
   * neither, with a protocol that uses TLS. The files are read and checked now (the key must be the
   * certificate's, RSA or EC, unencrypted PKCS#8), so a wrong one stops start-up with the reason
   * rather than failing in the Kafka client.
   */
  private static Optional<ClientCertificate> clientCertificate(Settings s, boolean tls) {
    String certVariable = ConfigSource.envName("kafka.sslCertFile");
    String keyVariable = ConfigSource.envName("kafka.sslKeyFile");
    String cert = s.string("kafka.sslCertFile");
    String key = s.string("kafka.sslKeyFile");
    if (cert.isEmpty() && key.isEmpty()) {
      return Optional.empty();
    }
    if (cert.isEmpty() || key.isEmpty()) {
      throw ConfigException.invalid(
          cert.isEmpty() ? certVariable : keyVariable,
          "",
          "set together with " + (cert.isEmpty() ? keyVariable : certVariable));
    }
    if (!tls) {
      throw ConfigException.invalid(
          certVariable, cert, "empty unless kafka.securityProtocol is SSL or SASL_SSL");
    }
    X509Certificate leaf;
    String chain;
    try {
      chain = Pem.read(Path.of(cert));
      leaf = Pem.certificates(chain, Path.of(cert)).get(0);
    } catch (IllegalArgumentException e) {
      throw ConfigException.invalid(
          certVariable, cert, "a PEM file of certificates (" + e.getMessage() + ")");
    }
    try {
      String keyText = Pem.read(Path.of(key));
      Pem.checkPrivateKey(keyText, Path.of(key), leaf);
      return Optional.of(new ClientCertificate(chain, new Secret(keyText)));
    } catch (IllegalArgumentException e) {
      throw ConfigException.invalid(
          keyVariable, key, "the certificate's private key (" + e.getMessage() + ")");
    }
  }
}
