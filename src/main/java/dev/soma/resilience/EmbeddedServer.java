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
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server this process may embed ({@link #postgres} or {@link #kafka}): where it keeps data and
 * listens, how to tell that a server on its port is this data directory's, and how to start it.
 * {@link #resolve} picks the address to use: a configured one as is, else the embedded server
 * already running on the port (a running service's, when this is one of its commands), else a newly
 * started one. Blocking.
 *
 * @param <A> the address clients connect to ({@link DatabaseUrl}, Kafka's bootstrap servers)
 * @param urlVariable the variable that configures the address instead (named in every refusal)
 * @param portSetting the setting of the embedded port (its variable is named when it is taken)
 * @param serverClass a class only the {@code -embedded} jar has: without it nothing is embedded
 */
record EmbeddedServer<A>(
    String name,
    String urlVariable,
    String portSetting,
    String serverClass,
    int port,
    Path dir,
    BiPredicate<Path, Integer> runsFrom,
    IntFunction<A> runningAt,
    Starter<A> starter) {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServer.class);
  private static final String KAFKA_SERVER_CLASS = "kafka.server.KafkaRaftServer";

  /** Starts an embedded server; what it returns is closed when the service stops. */
  @FunctionalInterface
  interface Starter<A> {
    Started<A> start(Path dir, int port);
  }

  record Started<A>(A address, AutoCloseable server) {}

  static EmbeddedServer<DatabaseUrl> postgres(ServiceConfig config) {
    return new EmbeddedServer<>(
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

  static EmbeddedServer<String> kafka(ServiceConfig config) {
    return new EmbeddedServer<>(
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
   *
   * @throws ConfigException when the port is taken by something else, or nothing is configured and
   *     this jar has no embedded server
   */
  A resolve(Optional<A> configured, List<AutoCloseable> started) {
    if (configured.isPresent()) {
      return configured.get();
    }
    Path absolute = dir.toAbsolutePath();
    if (listening()) {
      requireOurs();
      LOG.info("EMBEDDED {} of {} already running on port {}: using it", name, absolute, port);
      return runningAt.apply(port);
    }
    if (!present(serverClass)) {
      throw new ConfigException(
          urlVariable
              + " is not set, and this jar has no embedded server;"
              + " set it, or run soma-resilience-embedded.jar");
    }
    Started<A> running = starter.start(dir, port);
    started.add(running.server());
    LOG.info(
        "EMBEDDED {} at {} with data in {} (set {} to use yours)",
        name,
        running.address(),
        absolute,
        urlVariable);
    return running.address();
  }

  /** Whether something (a running service's embedded server) already listens on the port. */
  private boolean listening() {
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
  private void requireOurs() {
    if (!runsFrom.test(dir, port)) {
      throw new ConfigException(
          urlVariable
              + " is not set and port "
              + port
              + " is taken by something other than the embedded "
              + name
              + " of "
              + dir.toAbsolutePath()
              + "; set "
              + urlVariable
              + " to use that server, or "
              + ConfigSource.envName(portSetting)
              + " to another port");
    }
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, EmbeddedServer.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
