package dev.soma.resilience.testing;

import dev.soma.resilience.config.DatabaseUrl;
import dev.soma.resilience.embedded.EmbeddedKafkaBroker;
import dev.soma.resilience.embedded.EmbeddedPostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The real PostgreSQL, Kafka and Redis every integration test talks to, started once per test run.
 * Each comes from, in order: an address in the environment ({@code SA01_TEST_DATABASE_URL}, {@code
 * SA01_TEST_KAFKA_BOOTSTRAP_SERVERS}, {@code SA01_TEST_REDIS_URL}); a Testcontainers container when
 * a Docker engine answers; else an embedded server (zonky PostgreSQL, an in-process KRaft broker,
 * embedded Redis). Tests isolate themselves with {@link #freshDatabase()} and their own topic
 * names, so they never pay a server start-up each.
 */
public final class TestServices implements BeforeAllCallback {

  private static DatabaseUrl postgres;
  private static String kafka;
  private static URI redis;

  @Override
  public void beforeAll(ExtensionContext context) {
    postgres();
    kafkaBootstrap();
  }

  /** The PostgreSQL server (its maintenance database). */
  public static synchronized DatabaseUrl postgres() {
    if (postgres == null) {
      String configured = System.getenv("SA01_TEST_DATABASE_URL");
      if (configured != null && !configured.isBlank()) {
        postgres = DatabaseUrl.parse(configured);
      } else if (docker()) {
        PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine");
        container.start();
        postgres =
            new DatabaseUrl(
                container.getHost(),
                container.getFirstMappedPort(),
                container.getDatabaseName(),
                container.getUsername(),
                container.getPassword());
      } else {
        EmbeddedPostgresServer server = EmbeddedPostgresServer.start(tempDir("pg"), 0);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        postgres = server.url();
      }
    }
    return postgres;
  }

  /** A new, empty database on the test server, for one test class or test. */
  public static DatabaseUrl freshDatabase() {
    DatabaseUrl server = postgres();
    String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    try (Connection c =
            DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create test database on " + server, e);
    }
    return new DatabaseUrl(server.host(), server.port(), name, server.user(), server.password());
  }

  /** {@code url} written as an operator would set {@code SA01_DATABASE_URL} (password shown). */
  public static String databaseUrlSetting(DatabaseUrl url) {
    String credentials = url.password().isEmpty() ? url.user() : url.user() + ":" + url.password();
    return "postgresql://"
        + credentials
        + "@"
        + url.host()
        + ":"
        + url.port()
        + "/"
        + url.database();
  }

  /** The shared Kafka broker's bootstrap servers. */
  public static synchronized String kafkaBootstrap() {
    if (kafka == null) {
      String configured = System.getenv("SA01_TEST_KAFKA_BOOTSTRAP_SERVERS");
      if (configured != null && !configured.isBlank()) {
        kafka = configured;
      } else if (docker()) {
        KafkaContainer container = new KafkaContainer("apache/kafka:4.1.1");
        container.start();
        kafka = container.getBootstrapServers();
      } else {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(tempDir("kafka"), 0);
        Runtime.getRuntime().addShutdownHook(new Thread(broker::stop));
        kafka = broker.bootstrapServers();
      }
    }
    return kafka;
  }

  /** The shared Redis server. */
  public static synchronized URI redis() {
    if (redis == null) {
      String configured = System.getenv("SA01_TEST_REDIS_URL");
      if (configured != null && !configured.isBlank()) {
        redis = URI.create(configured);
      } else if (docker()) {
        var container =
            new org.testcontainers.containers.GenericContainer<>("redis:7-alpine")
                .withExposedPorts(6379);
        container.start();
        redis = URI.create("redis://" + container.getHost() + ":" + container.getFirstMappedPort());
      } else {
        try {
          int port = FreePort.find();
          var server = new redis.embedded.RedisServer(port);
          server.start();
          Runtime.getRuntime()
              .addShutdownHook(
                  new Thread(
                      () -> {
                        try {
                          server.stop();
                        } catch (IOException e) {
                          // the JVM is going away anyway
                        }
                      }));
          redis = URI.create("redis://127.0.0.1:" + port);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return redis;
  }

  /** A topic name no other test uses. */
  public static String topic(String purpose) {
    return purpose.toLowerCase(Locale.ROOT) + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public static Path tempDir(String prefix) {
    try {
      Path dir = Files.createTempDirectory("soma-" + prefix);
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean docker;
  private static boolean dockerChecked;

  private static synchronized boolean docker() {
    if (!dockerChecked) {
      dockerChecked = true;
      try {
        docker = DockerClientFactory.instance().isDockerAvailable();
      } catch (Throwable e) {
        docker = false;
      }
    }
    return docker;
  }
}
