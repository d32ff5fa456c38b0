package dev.soma.resilience.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.embedded.EmbeddedKafkaBroker;
import dev.soma.resilience.testing.FreePort;
import dev.soma.resilience.testing.SelfSignedCertificate;
import dev.soma.resilience.testing.TestServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The producer and admin settings every Kafka client of ours uses, against a real broker with two
 * client listeners: one takes only SASL over TLS (PLAIN and SCRAM-SHA-512), the other only TLS with
 * a client certificate it trusts; the broker's certificate, for 127.0.0.1, is signed by an
 * authority the JVM does not know.
 */
class KafkaSecurityIT {

  /** With a quote, a backslash and a space, which the JAAS configuration must escape. */
  private static final String PASSWORD = "pa\"ss wo\\rd";

  private static EmbeddedKafkaBroker broker;
  private static int securePort;
  private static int mutualTlsPort;
  private static SelfSignedCertificate clientCertificate;
  private static SelfSignedCertificate brokerCertificate;
  private static SelfSignedCertificate otherAuthority;

  @BeforeAll
  static void startBrokerWithSaslSslListener() throws Exception {
    Path dir = TestServices.tempDir("kafka-secure");
    brokerCertificate = SelfSignedCertificate.create(dir, "broker", "ip:127.0.0.1");
    otherAuthority = SelfSignedCertificate.create(dir, "stranger", "ip:127.0.0.1");
    clientCertificate = SelfSignedCertificate.create(dir, "relay-client", "dns:relay");
    securePort = FreePort.find();
    mutualTlsPort = FreePort.find();
    int plainPort = FreePort.find();
    String controller = EmbeddedKafkaBroker.CONTROLLER_PORT;
    Map<String, String> overrides = new HashMap<>();
    overrides.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:"
            + plainPort
            + ",CONTROLLER://127.0.0.1:"
            + controller
            + ",SECURE://127.0.0.1:"
            + securePort
            + ",MTLS://127.0.0.1:"
            + mutualTlsPort);
    overrides.put(
        "advertised.listeners",
        "PLAINTEXT://127.0.0.1:"
            + plainPort
            + ",SECURE://127.0.0.1:"
            + securePort
            + ",MTLS://127.0.0.1:"
            + mutualTlsPort);
    overrides.put(
        "listener.security.protocol.map",
        "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SECURE:SASL_SSL,MTLS:SSL");
    overrides.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512");
    overrides.put(
        "listener.name.secure.plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " user_relay=\"pa\\\"ss wo\\\\rd\";");
    overrides.put(
        "listener.name.secure.scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    // the broker's certificate, for every listener that speaks TLS
    overrides.put("ssl.keystore.type", "PEM");
    overrides.put(
        "ssl.keystore.certificate.chain", Files.readString(brokerCertificate.certificate()));
    overrides.put("ssl.keystore.key", Files.readString(brokerCertificate.privateKey()));
    // MTLS: TLS only, and the client must present the certificate this listener trusts
    overrides.put("listener.name.mtls.ssl.client.auth", "required");
    overrides.put("listener.name.mtls.ssl.truststore.type", "PEM");
    overrides.put(
        "listener.name.mtls.ssl.truststore.certificates",
        Files.readString(clientCertificate.certificate()));
    broker = EmbeddedKafkaBroker.start(dir.resolve("data"), plainPort, overrides);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      admin
          .alterUserScramCredentials(
              List.of(
                  new UserScramCredentialUpsertion(
                      "scram-relay",
                      new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096),
                      "scram secret")))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stop() {
    broker.stop();
  }

  @Test
  void plainOverTlsPublishesAndProbes() throws Exception {
    ServiceConfig config =
        secured("SASL_SSL", brokerCertificate.certificate(), "PLAIN", "relay", PASSWORD);

    assertThat(publish(config).offset()).isNotNegative();
    assertThat(clusterId(config)).isNotEmpty();
  }

  @Test
  void scramOverTlsPublishes() throws Exception {
    ServiceConfig config =
        secured(
            "SASL_SSL",
            brokerCertificate.certificate(),
            "SCRAM-SHA-512",
            "scram-relay",
            "scram secret");

    assertThat(publish(config).offset()).isNotNegative();
  }

  @Test
  void mutualTlsPublishesWithTheClientsCertificate() throws Exception {
    ServiceConfig config =
        ServiceConfig.load(
            Map.of(
                "SA01_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + mutualTlsPort,
                "SA01_KAFKA_SECURITY_PROTOCOL", "SSL",
                "SA01_KAFKA_SSL_CA_FILE", brokerCertificate.certificate().toString(),
                "SA01_KAFKA_SSL_CERT_FILE", clientCertificate.certificate().toString(),
                "SA01_KAFKA_SSL_KEY_FILE", clientCertificate.privateKey().toString()));

    assertThat(publish(config).offset()).isNotNegative();
    assertThat(clusterId(config)).isNotEmpty();
  }

  @Test
  void mutualTlsWithoutAClientCertificateIsRefused() {
    ServiceConfig config =
        ServiceConfig.load(
            Map.of(
                "SA01_KAFKA_BOOTSTRAP_SERVERS",
                "127.0.0.1:" + mutualTlsPort,
                "SA01_KAFKA_SECURITY_PROTOCOL",
                "SSL",
                "SA01_KAFKA_SSL_CA_FILE",
                brokerCertificate.certificate().toString()));

    assertThatThrownBy(() -> clusterId(config))
        .hasCauseInstanceOf(SslAuthenticationException.class);
  }

  @Test
  void aWrongPasswordIsRefusedAsAnAuthenticationFailure() {
    ServiceConfig config =
        secured("SASL_SSL", brokerCertificate.certificate(), "PLAIN", "relay", "guess");

    assertThatThrownBy(() -> clusterId(config))
        .hasCauseInstanceOf(SaslAuthenticationException.class);
  }

  @Test
  void aBrokerCertificateFromAnotherAuthorityIsRefused() {
    ServiceConfig config =
        secured("SASL_SSL", otherAuthority.certificate(), "PLAIN", "relay", PASSWORD);

    assertThatThrownBy(() -> clusterId(config))
        .hasCauseInstanceOf(SslAuthenticationException.class);
  }

  @Test
  void withoutSecurityTheSecureListenerDoesNotAnswer() {
    ServiceConfig config =
        ServiceConfig.load(Map.of("SA01_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + securePort));

    // the client's plain-text requests never get an answer: the call times out
    assertThatThrownBy(() -> clusterId(config)).hasCauseInstanceOf(TimeoutException.class);
  }

  private static ServiceConfig secured(
      String protocol, Path ca, String mechanism, String user, String password) {
    return ServiceConfig.load(
        Map.of(
            "SA01_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + securePort,
            "SA01_KAFKA_SECURITY_PROTOCOL", protocol,
            "SA01_KAFKA_SSL_CA_FILE", ca.toString(),
            "SA01_KAFKA_SASL_MECHANISM", mechanism,
            "SA01_KAFKA_SASL_USERNAME", user,
            "SA01_KAFKA_SASL_PASSWORD", password));
  }

  private static RecordMetadata publish(ServiceConfig config) throws Exception {
    Map<String, Object> settings =
        new HashMap<>(
            ProducerSettings.of(
                config.kafka(), config.kafka().bootstrapServers().orElseThrow(), "secure-test"));
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(settings)) {
      return producer.send(new ProducerRecord<>("secured", "t:k", "{}")).get(30, TimeUnit.SECONDS);
    }
  }

  private static String clusterId(ServiceConfig config) throws Exception {
    Map<String, Object> settings =
        new HashMap<>(
            AdminSettings.of(
                config.kafka().security(),
                config.kafka().bootstrapServers().orElseThrow(),
                "secure-test-admin"));
    try (Admin admin = Admin.create(settings)) {
      return admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS);
    }
  }
}
