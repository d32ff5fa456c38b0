package dev.soma.resilience;

import dev.soma.resilience.config.ConfigException;
import dev.soma.resilience.config.ConfigSource;
import dev.soma.resilience.config.DatabaseUrl;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.embedded.EmbeddedKafkaBroker;
import dev.soma.resilience.embedded.EmbeddedPostgresServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where PostgreSQL and Kafka are. A configured address is used as is; an unconfigured one starts
 * the embedded server with its data under {@code dataDir}, so stopping and starting the service
 * loses nothing; when the embedded port already answers (a service running on this machine),
 * commands share that server instead. The embedded servers are only in the {@code -embedded} jar:
 * the production jar refuses to start without addresses, saying which variable to set. Blocking;
 * runs in {@code main}.
 */
final class Infrastructure implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Infrastructure.class);
  private static final String KAFKA_SERVER_CLASS = "kafka.server.KafkaRaftServer";

  final DatabaseUrl database;
  final String kafkaBootstrap;
  private final List<AutoCloseable> embedded;

  private Infrastructure(
      DatabaseUrl database, String kafkaBootstrap, List<AutoCloseable> embedded) {
    this.database = database;
    this.kafkaBootstrap = kafkaBootstrap;
    this.embedded = embedded;
  }

  /** A server this process may embed: where it keeps data, and how to reuse or start it. */
  private record Embedded<A>(
      String name,
      String urlVariable,
      String portSetting,
      String serverClass,
      int port,
      Path dir,
      BiPredicate<Path, Integer> runsFrom,
      IntFunction<A> runningAt,
      Starter<A> starter) {}

  /** Starts an embedded server; what it returns is closed when the service stops. */
  @FunctionalInterface
  private interface Starter<A> {
    Started<A> start(Path dir, int port);
  }

  private record Started<A>(A address, AutoCloseable server) {}

  static Infrastructure start(ServiceConfig config) {
    List<AutoCloseable> started = new ArrayList<>();
    try {
      DatabaseUrl database = resolve(config.database().url(), postgres(config), started);
      String kafka = resolve(config.kafka().bootstrapServers(), kafka(config), started);
      return new Infrastructure(database, kafka, started);
    } catch (RuntimeException e) {
      new Infrastructure(null, null, started).close();
      throw e;
    }
  }

  private static Embedded<DatabaseUrl> postgres(ServiceConfig config) {
    return new Embedded<>(
        "PostgreSQL",
        "SA01_DATABASE_URL",
        "database.embeddedPort",
        "io.zonky.test.db.postgres.embedded.EmbeddedPostgres",
        config.database().embeddedPort(),
        config.dataDir().resolve("postgres"),
        EmbeddedPostgresServer::runsFrom,
        EmbeddedPostgresServer::urlAt,
        (dir, port) -> {
          EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dir, port);
          return new Started<>(server.url(), server);
        });
  }

  private static Embedded<String> kafka(ServiceConfig config) {
    return new Embedded<>(
        "Kafka",
        "SA01_KAFKA_BOOTSTRAP_SERVERS",
        "kafka.embeddedPort",
        KAFKA_SERVER_CLASS,
        config.kafka().embeddedPort(),
        config.dataDir().resolve("kafka"),
        // only the embedded jar has the broker's classes: without them, no broker of ours runs
        (dir, port) -> present(KAFKA_SERVER_CLASS) && EmbeddedKafkaBroker.runsFrom(dir, port),
        port -> "127.0.0.1:" + port,
        (dir, port) -> {
          EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, port);
          return new Started<>(broker.bootstrapServers(), broker);
        });
  }

  /**
   * The configured address; else the embedded server already running on its port (when it is ours);
   * else a newly started one, added to {@code started}.
   */
  private static <A> A resolve(
      Optional<A> configured, Embedded<A> server, List<AutoCloseable> started) {
    if (configured.isPresent()) {
      return configured.get();
    }
    Path dir = server.dir().toAbsolutePath();
    if (listening(server.port())) {
      requireOurs(server);
      LOG.info(
          "EMBEDDED {} of {} already running on port {}: using it",
          server.name(),
          dir,
          server.port());
      return server.runningAt().apply(server.port());
    }
    if (!present(server.serverClass())) {
      throw new ConfigException(
          server.urlVariable()
              + " is not set, and this jar has no embedded server;"
              + " set it, or run soma-resilience-embedded.jar");
    }
    Started<A> running = server.starter().start(server.dir(), server.port());
    started.add(running.server());
    LOG.info(
        "EMBEDDED {} at {} with data in {} (set {} to use yours)",
        server.name(),
        running.address(),
        dir,
        server.urlVariable());
    return running.address();
  }

  /** Whether something (a running service's embedded server) already listens on the port. */
  private static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The embedded port is taken: fine when by this data directory's own server (a running service,
   * and this is one of its commands), else a clear stop rather than silently using a stranger.
   */
  private static void requireOurs(Embedded<?> server) {
    if (!server.runsFrom().test(server.dir(), server.port())) {
      throw new ConfigException(
          server.urlVariable()
              + " is not set and port "
              + server.port()
              + " is taken by something other than the embedded "
              + server.name()
              + " of "
              + server.dir().toAbsolutePath()
              + "; set "
              + server.urlVariable()
              + " to use that server, or "
              + ConfigSource.envName(server.portSetting())
              + " to another port");
    }
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, Infrastructure.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  @Override
  public void close() {
    for (int i = embedded.size() - 1; i >= 0; i--) {
      try {
        embedded.get(i).close();
      } catch (Exception e) {
        LOG.warn("stopping an embedded server failed: {}", e.toString());
      }
    }
  }
}
