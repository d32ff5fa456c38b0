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
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The servers the benchmark measures against, started once: the project's embedded PostgreSQL
 * (zonky, PG 17, its own processes) and embedded Kafka (in this JVM, or in a JVM of its own when
 * its CPU is to be counted apart), in a temporary directory deleted on {@link #close}. Blocking;
 * used from the benchmark's main thread only.
 */
final class BenchServers implements AutoCloseable {

  final Path dir;
  final EmbeddedPostgresServer postgres;
  final Admin admin;
  final Vertx vertx = Vertx.vertx();
  private final String bootstrap;
  private final AutoCloseable kafka;
  private final long kafkaPid;

  private BenchServers(Path dir, EmbeddedPostgresServer postgres, String bootstrap,
      AutoCloseable kafka, long kafkaPid) {
    this.dir = dir;
    this.postgres = postgres;
    this.bootstrap = bootstrap;
    this.kafka = kafka;
    this.kafkaPid = kafkaPid;
    this.admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
  }

  /** PostgreSQL, and Kafka in this JVM, its topics created with {@code partitions} partitions. */
  static BenchServers start(int partitions) throws IOException {
    Path dir = Files.createTempDirectory("soma-bench");
    EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dir.resolve("postgres"), 0);
    EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(dir.resolve("kafka"), 0,
        java.util.Map.of("num.partitions", Integer.toString(partitions)));
    return new BenchServers(dir, postgres, kafka.bootstrapServers(), kafka, -1);
  }

  /**
   * PostgreSQL, and Kafka in a JVM of its own ({@link BrokerMain}, heap {@code brokerHeap}, its
   * log in {@code logs}), so that {@link #kafkaPid} can be counted apart from this JVM.
   */
  static BenchServers startWithBrokerJvm(int partitions, String brokerHeap, Path logs)
      throws Exception {
    Path dir = Files.createTempDirectory("soma-bench");
    EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dir.resolve("postgres"), 0);
    ChildJvm broker = ChildJvm.launch(System.getProperty("java.class.path"), brokerHeap,
        List.of(), BrokerMain.class.getName(),
        List.of(dir.resolve("kafka").toString(), Integer.toString(partitions)), Map.of(), logs,
        "kafka");
    try {
      String ready = broker.awaitLine(Pattern.compile(Pattern.quote(BrokerMain.READY)), 120);
      return new BenchServers(dir, postgres,
          ready.substring(ready.indexOf(BrokerMain.READY) + BrokerMain.READY.length()).trim(),
          broker, broker.pid());
    } catch (Exception e) {
      broker.close();
      postgres.close();
      throw e;
    }
  }

  /** The Kafka broker's JVM when it runs in one of its own, else -1 (it runs in this JVM). */
  long kafkaPid() {
    return kafkaPid;
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
    return bootstrap;
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
    kafka.close();
    postgres.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
