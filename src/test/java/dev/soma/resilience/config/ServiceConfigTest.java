package dev.soma.resilience.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.soma.resilience.testing.SelfSignedCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceConfigTest {

  @TempDir Path dir;

  @Test
  void anUnknownLogLevelIsRefusedNamingTheVariable() {
    assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_LOG_LEVEL", "LOUD")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "SA01_LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF (unset: INFO),"
                + " but was 'LOUD'");
  }

  @Test
  void theLogLevelsLogbackKnowsAreAcceptedInAnyCase() {
    for (String level : List.of("trace", "DEBUG", "Info", "warn", "ERROR", "off")) {
      assertThat(ServiceConfig.load(Map.of("SA01_LOG_LEVEL", level))).isNotNull();
    }
  }

  @Test
  void theBuiltInDefaultsLoadWithoutAnyEnvironment() {
    ServiceConfig config = ServiceConfig.load(Map.of());

    assertThat(config.dataDir()).isEqualTo(Path.of("data"));
    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.database().url()).isEmpty();
    assertThat(config.database().poolSize()).isEqualTo(16);
    assertThat(config.database().answerTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.kafka().bootstrapServers()).isEmpty();
    assertThat(config.kafka().deliveryTimeoutMs()).isEqualTo(30_000);
    assertThat(config.redisUrl()).isEmpty();
    assertThat(config.somabrainUrl()).isEmpty();
    assertThat(config.temporalHost()).isEmpty();
    assertThat(config.outbox().batchSize()).isEqualTo(500);
    assertThat(config.outbox().lease()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.outbox().retention()).isEqualTo(Duration.ofHours(24));
    assertThat(config.outbox().tenantQuota().enabled()).isFalse();
    assertThat(config.idempotency().retentionHours()).isEqualTo(24);
  }

  @Test
  void retentionHasItsDefaultsAndIsOverriddenBySa01Names() {
    RetentionConfig defaults = ServiceConfig.load(Map.of()).retention();
    RetentionConfig set =
        ServiceConfig.load(
                Map.of(
                    "SA01_RETENTION_SYNCED_MEMORY_HOURS", "2",
                    "SA01_RETENTION_ADMIN_AUDIT_HOURS", "20000"))
            .retention();

    assertThat(defaults.syncedMemories()).isEqualTo(Duration.ofDays(7));
    assertThat(defaults.deadMemories()).isEqualTo(Duration.ofDays(30));
    assertThat(defaults.resolvedDeadLetters()).isEqualTo(Duration.ofDays(30));
    assertThat(defaults.uploadCompletions()).isEqualTo(Duration.ofDays(30));
    assertThat(defaults.adminAudit()).isEqualTo(Duration.ofDays(396));
    assertThat(set.syncedMemories()).isEqualTo(Duration.ofHours(2));
    assertThat(set.adminAudit()).isEqualTo(Duration.ofHours(20000));
  }

  @Test
  void aRetentionOfZeroHoursIsRefusedWithItsName() {
    assertThatThrownBy(
            () -> ServiceConfig.load(Map.of("SA01_RETENTION_RESOLVED_DEAD_LETTER_HOURS", "0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SA01_RETENTION_RESOLVED_DEAD_LETTER_HOURS");
  }

  @Test
  void environmentVariablesOverrideTheDefaultsBySa01Names() {
    ServiceConfig config =
        ServiceConfig.load(
            Map.of(
                "SA01_HTTP_PORT", "9191",
                "SA01_OUTBOX_BATCH_SIZE", " 42 ",
                "SA01_OUTBOX_TENANT_QUOTA_ENABLED", "TRUE",
                "SA01_OUTBOX_KAFKA_DOWN_BACKOFF_MAX_MS", "750",
                "SA01_KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9093",
                "SA01_REDIS_URL", "redis://cache:6379",
                "SA01_TEMPORAL_HOST", "temporal:7233",
                "SA01_DATA_DIR", "/var/lib/soma"));

    assertThat(config.httpPort()).isEqualTo(9191);
    assertThat(config.outbox().batchSize()).isEqualTo(42);
    assertThat(config.outbox().tenantQuota().enabled()).isTrue();
    assertThat(config.outbox().kafkaDownBackoffMax()).isEqualTo(Duration.ofMillis(750));
    assertThat(config.kafka().bootstrapServers()).contains("k1:9092,k2:9093");
    assertThat(config.redisUrl()).contains(URI.create("redis://cache:6379"));
    assertThat(config.temporalHost()).contains("temporal:7233");
    assertThat(config.dataDir()).isEqualTo(Path.of("/var/lib/soma"));
  }

  @Test
  void theDatabaseUrlIsParsedIntoHostPortDatabaseUserAndPassword() {
    ServiceConfig config =
        ServiceConfig.load(
            Map.of("SA01_DATABASE_URL", "postgresql://soma:s3cret@db.internal:6543/resilience"));

    assertThat(config.database().url())
        .contains(new DatabaseUrl("db.internal", 6543, "resilience", "soma", "s3cret"));
  }

  @Test
  void aDatabaseUrlWithoutPortOrPasswordUsesPort5432AndAnEmptyPassword() {
    DatabaseUrl url = DatabaseUrl.parse("postgres://soma@db/resilience");

    assertThat(url).isEqualTo(new DatabaseUrl("db", 5432, "resilience", "soma", ""));
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/resilience?sslmode=disable");
  }

  @Test
  void percentEncodedCredentialsAreDecoded() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://so%40ma:p%3Aw%2Fd@db:5432/app");

    assertThat(url.user()).isEqualTo("so@ma");
    assertThat(url.password()).isEqualTo("p:w/d");
  }

  @Test
  void aPlusSignInThePasswordStaysAPlusSign() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://soma:a+b@db:5432/app");

    assertThat(url.password()).isEqualTo("a+b");
  }

  @Test
  void aNonNumericPortFailsNamingTheVariableTheValueAndWhatWasExpected() {
    assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_HTTP_PORT", "abc")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SA01_HTTP_PORT")
        .hasMessageContaining("'abc'")
        .hasMessageContaining("a whole number");
  }

  @Test
  void aPortAbove65535FailsNamingTheAllowedRange() {
    assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_HTTP_PORT", "70000")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("SA01_HTTP_PORT must be a whole number from 0 to 65535, but was '70000'");
  }

  @Test
  void aLargestRetryDelayBelowTheFirstFailsNamingBoth() {
    assertThatThrownBy(
            () ->
                ServiceConfig.load(
                    Map.of(
                        "SA01_OUTBOX_BACKOFF_INITIAL_MS", "5000",
                        "SA01_OUTBOX_BACKOFF_MAX_MS", "1000")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "SA01_OUTBOX_BACKOFF_MAX_MS must be at least outbox.backoffInitialMs (5000), but was"
                + " '1000'");
    assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_MEMORY_BACKOFF_MAX_MS", "999")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "SA01_MEMORY_BACKOFF_MAX_MS must be at least memory.backoffInitialMs (1000)");
  }

  @Test
  void aDatabaseAnswerTimeoutBelow100MsFailsNamingTheAllowedRange() {
    assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_DATABASE_ANSWER_TIMEOUT_MS", "0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("SA01_DATABASE_ANSWER_TIMEOUT_MS must be")
        .hasMessageContaining("'0'");
  }

  @Test
  void aBatchSizeOfZeroFailsNamingTheAllowedRange() {
    assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_OUTBOX_BATCH_SIZE", "0")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("SA01_OUTBOX_BATCH_SIZE must be a whole number from 1 to 10000, but was '0'");
  }

  @Test
  void aFlagThatIsNeitherTrueNorFalseFails() {
    assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_OUTBOX_TENANT_QUOTA_ENABLED", "yes")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("SA01_OUTBOX_TENANT_QUOTA_ENABLED must be true or false, but was 'yes'");
  }

  @Test
  void aDatabaseUrlOfAnotherSchemeFailsSayingWhichFormIsExpected() {
    assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_DATABASE_URL", "mysql://x")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "SA01_DATABASE_URL must be a URL of the form"
                + " postgresql://user:pass@host:port/db[?sslmode=...&sslrootcert=...], but was 'mysql://x'");
  }

  @Test
  void aDatabaseUrlWithoutDatabaseNameFails() {
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://soma@db:5432/"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SA01_DATABASE_URL")
        .hasMessageContaining("'postgresql://soma@db:5432/'");
  }

  @Test
  void aDatabaseUrlWithAPortAbove65535Fails() {
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://soma@db:99999/app"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SA01_DATABASE_URL")
        .hasMessageContaining("'postgresql://soma@db:99999/app'");
  }

  @Test
  void theDatabasePasswordNeverAppearsInAnErrorMessage() {
    for (String bad :
        new String[] {
          "mysql://soma:hunter2@db:3306/app",
          "postgresql://soma:hunter2@db:5432",
          "postgresql://soma:hunter2@db:notaport/app",
          "postgresql://soma:hunter2 @db:5432/app",
          "postgresql://soma:hun@ter2@db:5432/app",
          "jdbc:postgresql://db:5432/app?user=soma&password=hunter2",
          "postgres:hunter2@db/app",
          "soma:hunter2@db:5432/app",
          "postgresql://soma:hunter2@db:5432/app?sslmode=sometimes",
          "postgresql://soma:hunter2@db:5432/app?sslmode=verify-full",
          "postgresql://db:5432/app?sslmode=require&sslpassword=hunter2",
          "postgresql://soma:hun?ter2@db:5432/app",
          "mysql://soma:1234hunter2@db:5432/app"
        }) {
      assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_DATABASE_URL", bad)))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("SA01_DATABASE_URL")
          .hasMessageNotContaining("hunter2")
          .hasMessageNotContaining("ter2");
    }
  }

  @Test
  void aDatabaseUrlWithAQueryParameterItCannotApplyFailsRatherThanIgnoringIt() {
    assertThatThrownBy(
            () ->
                DatabaseUrl.parse(
                    "postgresql://soma@db:5432/app?sslmode=require&connect_timeout=5"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "SA01_DATABASE_URL must be a URL of the form postgresql://user:pass@host:port/db"
                + "[?sslmode=...&sslrootcert=...] (the only query parameters supported are sslmode,"
                + " sslrootcert, sslcert, sslkey, not 'connect_timeout'),"
                + " but was 'postgresql://soma@db:5432/app?sslmode=require&connect_timeout=5'");
  }

  @Test
  void aDatabaseUrlAsksForTlsWithLibpqsParameters() throws IOException {
    Path ca = caFile("db ca.pem");

    DatabaseUrl verified =
        DatabaseUrl.parse(
            "postgresql://soma@db:5432/app?sslmode=verify-full&sslrootcert="
                + ca.toUri().getRawPath());
    DatabaseUrl encrypted = DatabaseUrl.parse("postgresql://soma@db:5432/app?sslmode=require");

    assertThat(verified.tls())
        .isEqualTo(
            new DatabaseUrl.Tls(
                DatabaseUrl.SslMode.VERIFY_FULL, Optional.of(ca), Optional.empty()));
    assertThat(verified.jdbcUrl())
        .isEqualTo(
            "jdbc:postgresql://db:5432/app?sslmode=verify-full&sslrootcert="
                + ca.toString().replace("/", "%2F").replace(" ", "%20"));
    assertThat(verified.toString()).isEqualTo("postgresql://soma@db:5432/app?sslmode=verify-full");
    assertThat(encrypted.tls().mode()).isEqualTo(DatabaseUrl.SslMode.REQUIRE);
    assertThat(encrypted.jdbcUrl())
        .isEqualTo(
            "jdbc:postgresql://db:5432/app?sslmode=require"
                + "&sslfactory=org.postgresql.ssl.NonValidatingFactory");
    assertThat(DatabaseUrl.parse("postgresql://soma@db:5432/app").tls())
        .isEqualTo(DatabaseUrl.Tls.DISABLED);
  }

  @Test
  void aDatabaseClientCertificateIsCheckedAndPassedToTheDriver() throws Exception {
    SelfSignedCertificate client = SelfSignedCertificate.create(dir, "soma", "dns:soma");
    SelfSignedCertificate other = SelfSignedCertificate.create(dir, "other", "dns:other");
    String base = "postgresql://soma@db:5432/app?sslmode=require";
    String cert = "&sslcert=" + client.certificate().toUri().getRawPath();

    DatabaseUrl url =
        DatabaseUrl.parse(base + cert + "&sslkey=" + client.privateKey().toUri().getRawPath());

    assertThat(url.tls().client())
        .contains(
            new DatabaseUrl.ClientCertificate(client.certificate(), client.privateKey(), "RSA"));
    assertThat(url.jdbcUrl())
        .contains("sslcert=" + client.certificate().toString().replace("/", "%2F"))
        .contains("sslkey=" + client.privateKey().toString().replace("/", "%2F"))
        .contains("&pemKeyAlgorithm=RSA")
        .doesNotContain("sslfactory");
    assertThatThrownBy(() -> DatabaseUrl.parse(base + cert))
        .hasMessageContaining("(sslcert and sslkey go together)");
    assertThatThrownBy(
            () ->
                DatabaseUrl.parse(
                    "postgresql://soma@db:5432/app?sslcert="
                        + client.certificate().toUri().getRawPath()
                        + "&sslkey="
                        + client.privateKey().toUri().getRawPath()))
        .hasMessageContaining("(a client certificate needs an sslmode other than disable)");
    assertThatThrownBy(
            () ->
                DatabaseUrl.parse(
                    base + cert + "&sslkey=" + other.privateKey().toUri().getRawPath()))
        .hasMessageContaining(
            "(client certificate: "
                + other.privateKey()
                + " holds the private key of another"
                + " certificate)");
    String key = "&sslkey=" + client.privateKey().toUri().getRawPath();
    Files.setPosixFilePermissions(
        client.privateKey(), PosixFilePermissions.fromString("rwx------"));
    assertThat(DatabaseUrl.parse(base + cert + key).tls().client()).isPresent();
    Files.setPosixFilePermissions(
        client.privateKey(), PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> DatabaseUrl.parse(base + cert + key))
        .hasMessageContaining("is open to others (rw-r--r--); allow the owner only: chmod 600");
    Files.setPosixFilePermissions(
        client.privateKey(), PosixFilePermissions.fromString("rw-------"));
    Path der = Files.copy(client.privateKey(), dir.resolve("client.der"));
    assertThatThrownBy(() -> DatabaseUrl.parse(base + cert + "&sslkey=" + der.toUri().getRawPath()))
        .hasMessageContaining("the JDBC driver reads a key named *.der, *.p12 or *.pfx");
    Path bagged =
        Files.writeString(
            dir.resolve("bagged.key"),
            "Bag Attributes\n    friendlyName: soma\n" + Files.readString(client.privateKey()));
    Files.setPosixFilePermissions(bagged, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(
            () -> DatabaseUrl.parse(base + cert + "&sslkey=" + bagged.toUri().getRawPath()))
        .hasMessageContaining("must start with -----BEGIN PRIVATE KEY-----");
  }

  @Test
  void tlsParametersThatCannotWorkTogetherFailWithTheReason() throws IOException {
    Path ca = caFile("ca.pem");
    String base = "postgresql://soma@db:5432/app?";

    assertThatThrownBy(() -> DatabaseUrl.parse(base + "sslmode=sometimes"))
        .hasMessageContaining(
            "(sslmode is one of disable, allow, prefer, require, verify-ca, verify-full)");
    assertThatThrownBy(() -> DatabaseUrl.parse(base + "sslmode=verify-ca"))
        .hasMessageContaining(
            "(sslmode=verify-ca needs sslrootcert=<the CA certificate file, PEM>)");
    assertThatThrownBy(() -> DatabaseUrl.parse(base + "sslmode=require&sslrootcert=" + ca))
        .hasMessageContaining(
            "(sslrootcert is used only with sslmode=verify-ca or sslmode=verify-full)");
    assertThatThrownBy(
            () -> DatabaseUrl.parse(base + "sslmode=verify-full&sslrootcert=" + dir.resolve("no")))
        .hasMessageContaining("(sslrootcert " + dir.resolve("no") + " is not a readable file)");
    assertThatThrownBy(() -> DatabaseUrl.parse(base + "sslmode=require&sslmode=disable"))
        .hasMessageContaining("(sslmode needs exactly one non-empty value)");
    assertThatThrownBy(() -> DatabaseUrl.parse(base + "sslmode="))
        .hasMessageContaining("(sslmode needs exactly one non-empty value)");
  }

  @Test
  void theDatabasePasswordNeverAppearsInTheUrlsToString() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://soma:hunter2@db:5432/app");

    assertThat(url.toString())
        .isEqualTo("postgresql://soma:****@db:5432/app")
        .doesNotContain("hunter2");
    assertThat(DatabaseUrl.parse("postgresql://soma@db:5432/app").toString())
        .isEqualTo("postgresql://soma@db:5432/app");
  }

  @Test
  void kafkaSecurityBecomesTheClientsProperties() throws IOException {
    Path ca = caFile("kafka-ca.pem");

    KafkaConfig.Security sasl =
        kafkaSecurity(
            "SECURITY_PROTOCOL", "SASL_SSL",
            "SSL_CA_FILE", ca.toString(),
            "SASL_MECHANISM", "SCRAM-SHA-256",
            "SASL_USERNAME", "relay",
            "SASL_PASSWORD", "hunter2");
    KafkaConfig.Security tls = kafkaSecurity("SECURITY_PROTOCOL", "SSL");

    assertThat(sasl.clientProperties())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("ssl.truststore.type", "PEM")
        .containsEntry("ssl.truststore.location", ca.toString())
        .containsEntry("sasl.mechanism", "SCRAM-SHA-256")
        .containsEntry(
            "sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"relay\" password=\"hunter2\";");
    assertThat(sasl.toString()).isEqualTo("SASL_SSL/SCRAM-SHA-256 as relay");
    assertThat(tls.clientProperties()).containsExactly(Map.entry("security.protocol", "SSL"));
    assertThat(ServiceConfig.load(Map.of()).kafka().security().clientProperties()).isEmpty();
  }

  @Test
  void aKafkaClientCertificateIsReadAndCheckedWhenTheConfigurationIs() throws Exception {
    SelfSignedCertificate client = SelfSignedCertificate.create(dir, "client", "dns:client");
    SelfSignedCertificate other = SelfSignedCertificate.create(dir, "other", "dns:other");
    String cert = client.certificate().toString();
    Path combined =
        Files.writeString(
            dir.resolve("combined.pem"),
            "subject=CN=client\n"
                + Files.readString(client.certificate())
                + Files.readString(client.privateKey()));

    KafkaConfig.Security security =
        kafkaSecurity(
            "SECURITY_PROTOCOL",
            "SSL",
            "SSL_CERT_FILE",
            cert,
            "SSL_KEY_FILE",
            client.privateKey().toString());

    assertThat(security.clientProperties())
        .containsEntry("ssl.keystore.type", "PEM")
        .containsEntry("ssl.keystore.certificate.chain", Files.readString(client.certificate()))
        .containsEntry("ssl.keystore.key", Files.readString(client.privateKey()));
    assertThat(security.toString()).isEqualTo("SSL, with a client certificate");
    assertThat(
            kafkaSecurity(
                    "SECURITY_PROTOCOL", "SSL",
                    "SSL_CERT_FILE", combined.toString(),
                    "SSL_KEY_FILE", combined.toString())
                .clientCertificate())
        .isPresent();
    assertThatThrownBy(() -> kafkaSecurity("SECURITY_PROTOCOL", "SSL", "SSL_CERT_FILE", cert))
        .hasMessage(
            "SA01_KAFKA_SSL_KEY_FILE must be set together with SA01_KAFKA_SSL_CERT_FILE, but was"
                + " ''");
    assertThatThrownBy(
            () ->
                kafkaSecurity(
                    "SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                    "SASL_MECHANISM", "PLAIN",
                    "SASL_USERNAME", "relay",
                    "SASL_PASSWORD", "hunter2",
                    "SSL_CERT_FILE", cert,
                    "SSL_KEY_FILE", client.privateKey().toString()))
        .hasMessageContaining("empty unless kafka.securityProtocol is SSL or SASL_SSL");
    assertThatThrownBy(() -> clientKey(cert, other.privateKey()))
        .hasMessageContaining(other.privateKey() + " holds the private key of another certificate");
    assertThatThrownBy(
            () ->
                clientKey(
                    cert,
                    pemFile(
                        "client-rsa.key",
                        "RSA PRIVATE KEY",
                        Base64.getDecoder().decode("MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX"))))
        .hasMessageContaining("holds no unencrypted PKCS#8 private key")
        .hasMessageNotContaining("MIIB");
    byte[] ed25519 =
        KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate().getEncoded();
    assertThatThrownBy(() -> clientKey(cert, pemFile("ed.key", "PRIVATE KEY", ed25519)))
        .hasMessageContaining("holds no RSA private key that can be read");
    assertThatThrownBy(
            () ->
                clientKey(
                    cert, Files.write(dir.resolve("binary.der"), new byte[] {(byte) 0xff, 0x30})))
        .hasMessageContaining("is not PEM text");
    assertThatThrownBy(() -> clientKey(client.privateKey().toString(), client.privateKey()))
        .hasMessageContaining(
            "SA01_KAFKA_SSL_CERT_FILE must be a PEM file of certificates ("
                + client.privateKey()
                + " holds no PEM certificate)");
  }

  private KafkaConfig.Security clientKey(String cert, Path key) {
    return kafkaSecurity(
        "SECURITY_PROTOCOL", "SSL", "SSL_CERT_FILE", cert, "SSL_KEY_FILE", key.toString());
  }

  private Path pemFile(String name, String type, byte[] der) throws IOException {
    return Files.writeString(
        dir.resolve(name),
        "-----BEGIN "
            + type
            + "-----\n"
            + Base64.getMimeEncoder().encodeToString(der)
            + "\n-----END "
            + type
            + "-----\n");
  }

  @Test
  void aSaslPasswordSurvivesTheJaasConfigWhateverItsCharacters() {
    String password = "a\\b\"c d\ne\rf";
    KafkaConfig.Security security =
        kafkaSecurity(
            "SECURITY_PROTOCOL", "SASL_PLAINTEXT",
            "SASL_MECHANISM", "PLAIN",
            "SASL_USERNAME", "relay",
            "SASL_PASSWORD", password);

    // Kafka's own parser of sasl.jaas.config
    List<AppConfigurationEntry> entries =
        JaasContext.loadClientContext(
                Map.of(
                    "sasl.jaas.config",
                    new Password(security.clientProperties().get("sasl.jaas.config"))))
            .configurationEntries();

    assertThat(entries).hasSize(1);
    Map<String, Object> options = Map.copyOf(entries.get(0).getOptions());
    assertThat(options).containsEntry("username", "relay").containsEntry("password", password);
  }

  @Test
  void kafkaSecuritySettingsThatCannotWorkFailWithTheReason() throws IOException {
    assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")))
        .hasMessage(
            "SA01_KAFKA_SECURITY_PROTOCOL must be PLAINTEXT while Kafka is embedded (set"
                + " SA01_KAFKA_BOOTSTRAP_SERVERS for an external cluster), but was 'SASL_SSL'");
    assertThatThrownBy(() -> kafkaSecurity("SECURITY_PROTOCOL", "TLS"))
        .hasMessageContaining("one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL");
    assertThatThrownBy(
            () ->
                kafkaSecurity(
                    "SECURITY_PROTOCOL", "SASL_SSL",
                    "SASL_MECHANISM", "GSSAPI",
                    "SASL_USERNAME", "relay",
                    "SASL_PASSWORD", "hunter2"))
        .hasMessageContaining("SA01_KAFKA_SASL_MECHANISM must be one of PLAIN, SCRAM-SHA-256,")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(
            () ->
                kafkaSecurity(
                    "SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                    "SASL_MECHANISM", "PLAIN",
                    "SASL_USERNAME", "relay"))
        .hasMessageStartingWith("SA01_KAFKA_SASL_PASSWORD must be set when");
    assertThatThrownBy(() -> kafkaSecurity("SASL_PASSWORD", "hunter2"))
        .hasMessageContaining("SASL_PLAINTEXT or SASL_SSL when a SASL mechanism")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> kafkaSecurity("SSL_CA_FILE", "/etc/ca.pem"))
        .hasMessageContaining("empty unless kafka.securityProtocol is SSL or SASL_SSL");
    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(
            () -> kafkaSecurity("SECURITY_PROTOCOL", "SSL", "SSL_CA_FILE", missing.toString()))
        .hasMessageContaining(
            "must be a PEM file of CA certificates (" + missing + " is not a readable file)");
    Path junk = Files.writeString(dir.resolve("junk.pem"), "not a certificate");
    assertThatThrownBy(
            () -> kafkaSecurity("SECURITY_PROTOCOL", "SSL", "SSL_CA_FILE", junk.toString()))
        .hasMessageContaining(junk + " holds no PEM certificate");
    assertThatThrownBy(
            () ->
                DatabaseUrl.parse(
                    "postgresql://db/app?sslmode=verify-ca&sslrootcert="
                        + junk.toUri().getRawPath()))
        .hasMessageContaining("(sslrootcert " + junk + " holds no PEM certificate");
  }

  /**
   * The Kafka security of an external cluster ({@code kafka:9093}) configured by {@code settings},
   * pairs of a variable's name after {@code SA01_KAFKA_} and its value.
   */
  private static KafkaConfig.Security kafkaSecurity(String... settings) {
    Map<String, String> env = new HashMap<>(Map.of("SA01_KAFKA_BOOTSTRAP_SERVERS", "kafka:9093"));
    for (int i = 0; i < settings.length; i += 2) {
      env.put("SA01_KAFKA_" + settings[i], settings[i + 1]);
    }
    return ServiceConfig.load(env).kafka().security();
  }

  @Test
  void kafkaBootstrapServersWithoutAPortFail() {
    assertThatThrownBy(
            () -> ServiceConfig.load(Map.of("SA01_KAFKA_BOOTSTRAP_SERVERS", "nohostport")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "SA01_KAFKA_BOOTSTRAP_SERVERS must be host:port[,host:port...] with ports from 1 to"
                + " 65535, but was 'nohostport'");
  }

  @Test
  void portsOutsideOneTo65535AreRefusedWhereTheyAreNamed() {
    for (String servers : new String[] {"kafka:99999", "a:9092,b:0", "a:9092,"}) {
      assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_KAFKA_BOOTSTRAP_SERVERS", servers)))
          .as(servers)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("SA01_KAFKA_BOOTSTRAP_SERVERS");
    }
    for (String host : new String[] {"temporal:0", "temporal:70000", "a:7233,b:7233"}) {
      assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_TEMPORAL_HOST", host)))
          .as(host)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("SA01_TEMPORAL_HOST");
    }
    assertThat(
            ServiceConfig.load(Map.of("SA01_KAFKA_BOOTSTRAP_SERVERS", "a:1,b:65535"))
                .kafka()
                .bootstrapServers())
        .contains("a:1,b:65535");
  }

  @Test
  void aUrlWithAPortAndAnAtInItsPathIsShownAsItIs() {
    assertThatThrownBy(
            () -> ServiceConfig.load(Map.of("SA01_REDIS_URL", "http://cache:6379/users/@me")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'http://cache:6379/users/@me'");
  }

  @Test
  void aRedisUrlOfAnotherSchemeFailsWithoutShowingItsPassword() {
    assertThatThrownBy(
            () -> ServiceConfig.load(Map.of("SA01_REDIS_URL", "http://:hunter2@cache:6379")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SA01_REDIS_URL")
        .hasMessageContaining("a URL starting with redis://, rediss://")
        .hasMessageContaining("'http://:****@cache:6379'")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void aRedisUrlWithoutHostFails() {
    assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_REDIS_URL", "redis:cache")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "SA01_REDIS_URL must be a URL starting with redis://, rediss://,"
                + " but was 'redis:cache'");
  }

  @Test
  void theListenAddressIsEveryInterfaceUnlessSa01HttpHostSaysOtherwise() {
    assertThat(ServiceConfig.load(Map.of()).httpHost()).isEqualTo("0.0.0.0");
    assertThat(ServiceConfig.load(Map.of("SA01_HTTP_HOST", "127.0.0.1")).httpHost())
        .isEqualTo("127.0.0.1");
    assertThat(ServiceConfig.load(Map.of("SA01_HTTP_HOST", "::")).httpHost()).isEqualTo("::");
    assertThat(ServiceConfig.load(Map.of("SA01_HTTP_HOST", "api.internal")).httpHost())
        .isEqualTo("api.internal");
  }

  @Test
  void aListenAddressThatIsNoHostFailsNamingSa01HttpHost() {
    for (String bad : List.of("", "http://0.0.0.0", "0.0.0.0:8080x", "a b", "-host")) {
      assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_HTTP_HOST", bad)))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("SA01_HTTP_HOST");
    }
  }

  @Test
  void aTemporalHostWithoutPortFails() {
    assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_TEMPORAL_HOST", "temporal")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "SA01_TEMPORAL_HOST must be host:port with a port from 1 to 65535,"
                + " but was 'temporal'");
  }

  @Test
  void aLeaseNotLongerThanTheDeliveryTimeoutFails() {
    assertThatThrownBy(
            () ->
                ServiceConfig.load(
                    Map.of(
                        "SA01_KAFKA_DELIVERY_TIMEOUT_MS", "30000",
                        "SA01_OUTBOX_LEASE_SECONDS", "20")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("SA01_OUTBOX_LEASE_SECONDS must be longer than")
        .hasMessageContaining("(35 s)")
        .hasMessageEndingWith("but was '20'");
  }

  @Test
  void aLeaseLongerThanTheDeliveryTimeoutPlusFiveSecondsIsAccepted() {
    ServiceConfig config =
        ServiceConfig.load(
            Map.of(
                "SA01_KAFKA_DELIVERY_TIMEOUT_MS", "30000",
                "SA01_OUTBOX_LEASE_SECONDS", "36"));

    assertThat(config.outbox().lease()).isEqualTo(Duration.ofSeconds(36));
  }

  @Test
  void aConfigFileOverlaysTheDefaultsAndTheEnvironmentOverlaysTheFile() throws IOException {
    Path file = dir.resolve("soma.json");
    Files.writeString(
        file,
        """
        {"http": {"port": 9090},
         "outbox": {"batchSize": 50, "retentionHours": 2},
         "temporal": {"host": "temporal:7233"}}\
        """);

    ServiceConfig config =
        ServiceConfig.load(
            Map.of("SA01_CONFIG_FILE", file.toString(), "SA01_OUTBOX_BATCH_SIZE", "60"));

    assertThat(config.httpPort()).isEqualTo(9090);
    assertThat(config.outbox().batchSize()).isEqualTo(60);
    assertThat(config.outbox().retention()).isEqualTo(Duration.ofHours(2));
    assertThat(config.temporalHost()).isEqualTo(Optional.of("temporal:7233"));
    // keys the file does not name keep their defaults
    assertThat(config.outbox().maxInFlightBatches()).isEqualTo(4);
  }

  @Test
  void aBadValueInTheConfigFileFailsNamingItsVariable() throws IOException {
    Path file = dir.resolve("soma.json");
    Files.writeString(file, "{\"outbox\": {\"batchSize\": 0}}");

    assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_CONFIG_FILE", file.toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessage("SA01_OUTBOX_BATCH_SIZE must be a whole number from 1 to 10000, but was '0'");
  }

  @Test
  void aConfigFileThatIsNotJsonFailsNamingTheFile() throws IOException {
    Path file = dir.resolve("soma.json");
    Files.writeString(file, "port = 9090");

    assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_CONFIG_FILE", file.toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("SA01_CONFIG_FILE must be a JSON object")
        .hasMessageContaining(file.toString());
  }

  @Test
  void aConfigFileThatIsNoJsonObjectIsRefusedInOneLineSayingWhere() throws IOException {
    Path file = dir.resolve("soma.json");
    for (String text : new String[] {"{bad json", "[1]", "", "{\"a\": 1}\n}"}) {
      Files.writeString(file, text);

      assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_CONFIG_FILE", file.toString())))
          .as(text)
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("SA01_CONFIG_FILE must be a JSON object (")
          .hasMessageEndingWith(", but was '" + file + "'")
          .hasMessageNotContaining("\n")
          .hasMessageNotContaining("Source")
          .hasMessageNotContaining("java.");
    }
    Files.writeString(file, "{bad json");
    assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_CONFIG_FILE", file.toString())))
        .hasMessageContaining("(not valid JSON at line 1, column 2)");
  }

  @Test
  void aMissingConfigFileFailsNamingTheFile() {
    Path missing = dir.resolve("missing.json");

    assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_CONFIG_FILE", missing.toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "SA01_CONFIG_FILE must be a readable JSON file (there is no such file), but was '"
                + missing
                + "'");
  }

  @Test
  void theDegradationDefaultsAreTheSeedsThresholds() {
    DegradationConfig d = ServiceConfig.load(Map.of()).degradation();

    assertThat(d.thresholds().minorLatency()).isEqualTo(Duration.ofSeconds(5));
    assertThat(d.thresholds().moderateLatency()).isEqualTo(Duration.ofSeconds(10));
    assertThat(d.thresholds().severeLatency()).isEqualTo(Duration.ofSeconds(15));
    assertThat(d.thresholds().moderateErrorRate()).isEqualTo(0.1);
    assertThat(d.thresholds().severeErrorRate()).isEqualTo(0.2);
    assertThat(d.suppressionWindow()).isEqualTo(Duration.ofMinutes(5));
    assertThat(d.eventsTopic()).isEqualTo("degradation.events");
    assertThat(d.criticalServices()).containsExactly("postgresql");
    assertThat(d.extraDependencies()).isEmpty();
    assertThat(d.graph()).containsEntry("memory", "somabrain").containsEntry("chat", "llm.*");
  }

  @Test
  void extraDependenciesAreProbedOutcomeOnlyOrNotConfigured() {
    DegradationConfig d =
        ServiceConfig.load(
                Map.of(
                    "SA01_DEGRADATION_DEPENDENCIES",
                    "llm.openai=https://api.openai.com/v1/models, tts.elevenlabs, storage.s3="))
            .degradation();

    assertThat(d.extraDependencies())
        .containsExactly(
            new DegradationConfig.ExtraDependency(
                "llm.openai", true, Optional.of("https://api.openai.com/v1/models")),
            new DegradationConfig.ExtraDependency("tts.elevenlabs", true, Optional.empty()),
            new DegradationConfig.ExtraDependency("storage.s3", false, Optional.empty()));
  }

  @Test
  void aGraphEdgeCanBeOverriddenAndABadOneFailsNamingItsVariable() {
    assertThat(
            ServiceConfig.load(Map.of("SA01_DEGRADATION_GRAPH_MEMORY", "somabrain,postgresql"))
                .degradation()
                .graph())
        .containsEntry("memory", "somabrain,postgresql");
    assertThatThrownBy(() -> ServiceConfig.load(Map.of("SA01_DEGRADATION_GRAPH_MEMORY", "a;b")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("SA01_DEGRADATION_GRAPH_MEMORY must be names (or prefix.*)");
  }

  @Test
  void latencyThresholdsMustNotDecrease() {
    assertThatThrownBy(
            () -> ServiceConfig.load(Map.of("SA01_DEGRADATION_MODERATE_LATENCY_MS", "1000")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "SA01_DEGRADATION_MODERATE_LATENCY_MS must be a whole number from 5000 to"
                + " 3600000, but was '1000'");
  }

  @Test
  void anExtraDependencyWithABadUrlFailsWithoutShowingItsPassword() {
    assertThatThrownBy(
            () ->
                ServiceConfig.load(
                    Map.of("SA01_DEGRADATION_DEPENDENCIES", "storage.s3=ftp://u:secret@host")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("SA01_DEGRADATION_DEPENDENCIES must be an http(s) URL")
        .hasMessageNotContaining("secret");
  }

  /** A real PEM certificate (one of the JDK's trust anchors), as a CA file would hold. */
  private Path caFile(String name) throws IOException {
    try (InputStream in =
        Files.newInputStream(
            Path.of(System.getProperty("java.home"), "lib", "security", "cacerts"))) {
      KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
      anchors.load(in, null);
      byte[] der = anchors.getCertificate(anchors.aliases().nextElement()).getEncoded();
      return Files.writeString(
          dir.resolve(name),
          "-----BEGIN CERTIFICATE-----\n"
              + Base64.getMimeEncoder().encodeToString(der)
              + "\n-----END CERTIFICATE-----\n");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
