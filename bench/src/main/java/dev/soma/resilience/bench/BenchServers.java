package dev.soma.resilience.bench;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.db.Database;
import dev.soma.resilience.config.DatabaseUrl;
import dev.soma.resilience.embedded.EmbeddedKafkaBroker;
import dev.soma.resilience.embedded.EmbeddedPostgresServer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The servers the benchmark measures against, started once: the project's embedded PostgreSQL
 * (zonky, PG 17, its own processes) and embedded Kafka (in this JVM), in a temporary directory
 * deleted on {@link #close}. Blocking; used from the benchmark's main thread only.
 */
final class BenchServers implements AutoCloseable {

  final Path dir;
  final EmbeddedPostgresServer postgres;
  final EmbeddedKafkaBroker kafka;
  final Admin admin;
  final Vertx vertx = Vertx.vertx();

  private BenchServers(Path dir, EmbeddedPostgresServer postgres, EmbeddedKafkaBroker kafka) {
    this.dir = dir;
    this.postgres = postgres;
    this.kafka = kafka;
    this.admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
  }

  static BenchServers start(int partitions) throws IOException {
    Path dir = Files.createTempDirectory("soma-bench");
    EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dir.resolve("postgres"), 0);
    EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(dir.resolve("kafka"), 0,
        java.util.Map.of("num.partitions", Integer.toString(partitions)));
    return new BenchServers(dir, postgres, kafka);
  }

  /** The embedded PostgreSQL's postmaster (its backends are its children), or -1. */
  long postmasterPid() {
    try {
      return Long.parseLong(Files.readAllLines(dir.resolve("postgres/postmaster.pid")).get(0)
          .trim());
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  String bootstrap() {
    return kafka.bootstrapServers();
  }

  /** Creates database {@code name} with the service's schema (its Flyway migrations). */
  DatabaseUrl database(String name) throws Exception {
    DatabaseUrl server = postgres.url();
    try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), "");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    DatabaseUrl url = new DatabaseUrl(server.host(), server.port(), name, server.user(), "");
    Blocking.await(new Database(url).migrate(vertx), Duration.ofMinutes(1));
    return url;
  }

  /**
   * Creates topics with {@code partitions} partitions whose record timestamps are the broker's
   * append time, so that a consumer can read when each record was acknowledged.
   */
  void createTopics(int partitions, String... names) throws Exception {
    List<NewTopic> topics = Stream.of(names)
        .map(name -> new NewTopic(name, partitions, (short) 1)
            .configs(Map.of("message.timestamp.type", "LogAppendTime")))
        .toList();
    admin.createTopics(topics).all().get();
  }

  static Connection connect(DatabaseUrl url) throws SQLException {
    return DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
  }

  @Override
  public void close() throws Exception {
    admin.close();
    Blocking.await(vertx.close(), Duration.ofSeconds(30));
    kafka.stop();
    postgres.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
