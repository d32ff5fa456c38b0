package dev.soma.resilience.common.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.soma.resilience.config.ConfigException;
import dev.soma.resilience.config.DatabaseUrl;
import dev.soma.resilience.testing.SelfSignedCertificate;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS to PostgreSQL as {@code SA01_DATABASE_URL}'s {@code sslmode} asks, for every connection the
 * service makes: the pool, the relay's {@code LISTEN} connection, and the migrations (JDBC). The
 * server here accepts TLS connections only, with a certificate for {@code localhost} (not for
 * {@code 127.0.0.1}), so a connection that works is an encrypted one.
 */
class DatabaseTlsIT {

  private static Vertx vertx;
  private static EmbeddedPostgres server;
  private static SelfSignedCertificate serverCertificate;
  private static SelfSignedCertificate otherAuthority;
  private static SelfSignedCertificate clientCertificate;
  private static SelfSignedCertificate ecClientCertificate;

  @BeforeAll
  static void startServerThatRefusesPlainText() throws Exception {
    Path dir = TestServices.tempDir("pg-tls");
    serverCertificate = SelfSignedCertificate.create(dir, "localhost", "dns:localhost");
    otherAuthority = SelfSignedCertificate.create(dir, "stranger", "dns:localhost");
    // certificate authentication maps the certificate's CN to the role
    clientCertificate = SelfSignedCertificate.create(dir, "certuser", "dns:certuser");
    ecClientCertificate = SelfSignedCertificate.createEc(dir, "ecuser", "dns:ecuser");
    Path clientAuthorities =
        Files.writeString(
            dir.resolve("clients.pem"),
            Files.readString(clientCertificate.certificate())
                + Files.readString(ecClientCertificate.certificate()));
    Path hba = dir.resolve("pg_hba.conf");
    Files.writeString(
        hba,
        """
        local     all all              trust
        hostssl   all certuser 127.0.0.1/32 cert
        hostssl   all certuser ::1/128      cert
        hostssl   all ecuser   127.0.0.1/32 cert
        hostssl   all ecuser   ::1/128      cert
        hostssl   all all 127.0.0.1/32 trust
        hostssl   all all ::1/128      trust
        hostnossl all all 0.0.0.0/0    reject
        hostnossl all all ::/0         reject
        """);
    server =
        EmbeddedPostgres.builder()
            .setDataDirectory(dir.resolve("data"))
            .setCleanDataDirectory(true)
            .setServerConfig("ssl", "on")
            .setServerConfig("ssl_cert_file", serverCertificate.certificate().toString())
            .setServerConfig("ssl_key_file", serverCertificate.privateKey().toString())
            .setServerConfig("hba_file", hba.toString())
            .setServerConfig("ssl_ca_file", clientAuthorities.toString())
            .start();
    try (Connection admin = server.getPostgresDatabase().getConnection();
        Statement sql = admin.createStatement()) {
      sql.execute("CREATE ROLE certuser LOGIN");
      sql.execute("CREATE DATABASE certdb OWNER certuser");
      sql.execute("CREATE ROLE ecuser LOGIN");
      sql.execute("CREATE DATABASE ecdb OWNER ecuser");
    }
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
    server.close();
  }

  @Test
  void verifyFullMigratesListensAndQueriesOverTls() throws Exception {
    Database database =
        new Database(
            url(
                "localhost",
                "?sslmode=verify-full&sslrootcert=" + serverCertificate.certificate()));

    assertThat(await(database.migrate(vertx))).isPositive();
    assertThat(encrypted(database)).isTrue();
    PgSubscriber subscriber = PgSubscriber.subscriber(vertx, database.connectOptions());
    await(subscriber.connect());
    await(subscriber.close());
  }

  @Test
  void requireEncryptsWithoutVerifyingTheCertificate() throws Exception {
    Database database = new Database(url("127.0.0.1", "?sslmode=require"));

    assertThat(encrypted(database)).isTrue();
    await(database.migrate(vertx));
  }

  @Test
  void verifyCaAcceptsTheServersAuthorityWhateverTheHostName() throws Exception {
    Database database =
        new Database(
            url("127.0.0.1", "?sslmode=verify-ca&sslrootcert=" + serverCertificate.certificate()));

    assertThat(encrypted(database)).isTrue();
    await(database.migrate(vertx));
  }

  @Test
  void aClientCertificateAuthenticatesWhereTheServerAsksForOne() throws Exception {
    Database database =
        new Database(
            certUser(
                "localhost",
                "?sslmode=verify-full&sslrootcert="
                    + serverCertificate.certificate()
                    + "&sslcert="
                    + clientCertificate.certificate()
                    + "&sslkey="
                    + clientCertificate.privateKey()));

    assertThat(await(database.migrate(vertx))).isPositive();
    Pool pool = database.pool(vertx, 1);
    try {
      String user =
          await(
              pool.query("SELECT current_user")
                  .execute()
                  .map(rows -> rows.iterator().next().getString(0)));
      assertThat(user).isEqualTo("certuser");
    } finally {
      await(pool.close());
    }
  }

  @Test
  void anEcClientCertificateServesBothClients() throws Exception {
    Database database =
        new Database(
            DatabaseUrl.parse(
                "postgresql://ecuser@localhost:"
                    + server.getPort()
                    + "/ecdb?sslmode=verify-full&sslrootcert="
                    + serverCertificate.certificate()
                    + "&sslcert="
                    + ecClientCertificate.certificate()
                    + "&sslkey="
                    + ecClientCertificate.privateKey()));

    // the JDBC driver reads a PEM key as RSA unless told it is EC
    assertThat(await(database.migrate(vertx))).isPositive();
    assertThat(encrypted(database)).isTrue();
  }

  @Test
  void requireWithAClientCertificatePresentsItWithoutVerifyingTheServer() throws Exception {
    Database database =
        new Database(
            certUser(
                "127.0.0.1",
                "?sslmode=require&sslcert="
                    + clientCertificate.certificate()
                    + "&sslkey="
                    + clientCertificate.privateKey()));

    await(database.migrate(vertx));
    assertThat(encrypted(database)).isTrue();
  }

  @Test
  void withoutItsClientCertificateTheRoleIsRefusedAndStartUpStopsAtOnce() {
    Database database =
        new Database(
            certUser(
                "localhost",
                "?sslmode=verify-full&sslrootcert=" + serverCertificate.certificate()));

    assertThatThrownBy(() -> await(database.migrate(vertx)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("requires a valid client certificate");
    assertThatThrownBy(() -> encrypted(database))
        .hasMessageContaining("requires a valid client certificate");
  }

  @Test
  void verifyFullRefusesACertificateThatDoesNotNameTheHostAndStartUpStopsAtOnce() {
    Database database =
        new Database(
            url(
                "127.0.0.1",
                "?sslmode=verify-full&sslrootcert=" + serverCertificate.certificate()));

    assertThatThrownBy(() -> encrypted(database)).hasMessageContaining("SSL handshake failed");
    // the migrations run first at start-up: they name the variable and the reason, without
    // retrying what no retry mends
    assertThatThrownBy(() -> await(database.migrate(vertx)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("SA01_DATABASE_URL postgresql://postgres@127.0.0.1:")
        .hasMessageContaining("cannot be used: The hostname 127.0.0.1 could not be verified");
  }

  @Test
  void verifyCaRefusesACertificateFromAnotherAuthority() {
    Database database =
        new Database(
            url("localhost", "?sslmode=verify-ca&sslrootcert=" + otherAuthority.certificate()));

    assertThatThrownBy(() -> encrypted(database)).hasMessageContaining("SSL handshake failed");
    assertThatThrownBy(() -> await(database.migrate(vertx)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unable to find valid certification path");
  }

  @Test
  void allowAndPreferEncryptWhenTheServerInsists() throws Exception {
    assertThat(encrypted(new Database(url("127.0.0.1", "?sslmode=allow")))).isTrue();
    assertThat(encrypted(new Database(url("127.0.0.1", "?sslmode=prefer")))).isTrue();
  }

  @Test
  void aRootCertificateWhosePathNeedsEscapingIsFound() throws Exception {
    Path odd = Files.createDirectories(TestServices.tempDir("pg-tls").resolve("a b+c&d=e"));
    Path ca = Files.copy(serverCertificate.certificate(), odd.resolve("ca #1.pem"));
    Database database =
        new Database(
            url(
                "localhost",
                "?sslmode=verify-full&sslrootcert="
                    + URLEncoder.encode(ca.toString(), StandardCharsets.UTF_8)
                        .replace("+", "%20")));

    assertThat(encrypted(database)).isTrue();
    await(database.migrate(vertx));
  }

  @Test
  void aServerWithoutTlsStopsStartUpAtOnceWhenTlsIsRequired() {
    DatabaseUrl plain = TestServices.postgres(); // the tests' own server, which has no TLS
    Database database =
        new Database(
            DatabaseUrl.parse(
                "postgresql://"
                    + plain.user()
                    + "@"
                    + plain.host()
                    + ":"
                    + plain.port()
                    + "/"
                    + plain.database()
                    + "?sslmode=require"));

    assertThatThrownBy(() -> await(database.migrate(vertx)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cannot be used: The server does not support SSL");
  }

  @Test
  void aDatabaseThatDoesNotExistStopsStartUpAtOnce() {
    Database database =
        new Database(
            DatabaseUrl.parse(
                "postgresql://postgres@127.0.0.1:"
                    + server.getPort()
                    + "/nowhere?sslmode=require"));

    assertThatThrownBy(() -> await(database.migrate(vertx)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("database \"nowhere\" does not exist");
  }

  @Test
  void withoutSslmodeTheConnectionIsPlainTextAndThisServerRefusesIt() {
    Database database = new Database(url("127.0.0.1", ""));

    assertThatThrownBy(() -> encrypted(database)).hasStackTraceContaining("no encryption");
    // the migrations' driver too: its own default would have been TLS if offered
    assertThatThrownBy(() -> await(database.migrate(vertx)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("no encryption");
  }

  /** The role the server authenticates by certificate, on its own database. */
  private static DatabaseUrl certUser(String host, String query) {
    return DatabaseUrl.parse(
        "postgresql://certuser@" + host + ":" + server.getPort() + "/certdb" + query);
  }

  private static DatabaseUrl url(String host, String query) {
    return DatabaseUrl.parse(
        "postgresql://postgres@" + host + ":" + server.getPort() + "/postgres" + query);
  }

  /** Whether the pool's connection to the server is encrypted, as the server sees it. */
  private static boolean encrypted(Database database) throws Exception {
    Pool pool = database.pool(vertx, 1);
    try {
      return await(
          pool.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
              .execute()
              .map(rows -> rows.iterator().next().getBoolean(0)));
    } finally {
      await(pool.close());
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }
}
