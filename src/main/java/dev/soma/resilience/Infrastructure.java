package dev.soma.resilience;

import dev.soma.resilience.config.ConfigException;
import dev.soma.resilience.config.ConfigSource;
import dev.soma.resilience.config.DatabaseUrl;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.embedded.EmbeddedPostgresServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

  final DatabaseUrl database;
  final String kafkaBootstrap;
  private final List<AutoCloseable> embedded;

  private Infrastructure(
      DatabaseUrl database, String kafkaBootstrap, List<AutoCloseable> embedded) {
    this.database = database;
    this.kafkaBootstrap = kafkaBootstrap;
    this.embedded = embedded;
  }

  static Infrastructure start(ServiceConfig config) {
    List<AutoCloseable> started = new ArrayList<>();
    try {
      DatabaseUrl database =
          config
              .database()
              .url()
              .orElseGet(
                  () -> {
                    int port = config.database().embeddedPort();
                    Path dir = config.dataDir().resolve("postgres");
                    if (listening(port)) {
                      requireOurs(
                          EmbeddedPostgresServer.runsFrom(dir, port),
                          "PostgreSQL",
                          port,
                          dir,
                          "SA01_DATABASE_URL",
                          "database.embeddedPort");
                      LOG.info(
                          "EMBEDDED PostgreSQL of {} already running on port {}: using it",
                          dir.toAbsolutePath(),
                          port);
                      return EmbeddedPostgresServer.urlAt(port);
                    }
                    requireEmbedded(
                        "io.zonky.test.db.postgres.embedded.EmbeddedPostgres", "SA01_DATABASE_URL");
                    var server =
                        EmbeddedPostgresServer.start(dir, config.database().embeddedPort());
                    started.add(server);
                    LOG.info(
                        "EMBEDDED PostgreSQL at {} with data in {} (set SA01_DATABASE_URL to use"
                            + " yours)",
                        server.url(),
                        dir.toAbsolutePath());
                    return server.url();
                  });
      String kafka =
          config
              .kafka()
              .bootstrapServers()
              .orElseGet(
                  () -> {
                    int port = config.kafka().embeddedPort();
                    Path dir = config.dataDir().resolve("kafka");
                    if (listening(port)) {
                      requireOurs(
                          kafkaRunsFrom(dir, port),
                          "Kafka",
                          port,
                          dir,
                          "SA01_KAFKA_BOOTSTRAP_SERVERS",
                          "kafka.embeddedPort");
                      LOG.info(
                          "EMBEDDED Kafka of {} already running on port {}: using it",
                          dir.toAbsolutePath(),
                          port);
                      return "127.0.0.1:" + port;
                    }
                    requireEmbedded("kafka.server.KafkaRaftServer", "SA01_KAFKA_BOOTSTRAP_SERVERS");
                    var broker =
                        dev.soma.resilience.embedded.EmbeddedKafkaBroker.start(
                            dir, config.kafka().embeddedPort());
                    started.add(broker);
                    LOG.info(
                        "EMBEDDED Kafka at {} with data in {} (set SA01_KAFKA_BOOTSTRAP_SERVERS to"
                            + " use yours)",
                        broker.bootstrapServers(),
                        dir.toAbsolutePath());
                    return broker.bootstrapServers();
                  });
      return new Infrastructure(database, kafka, started);
    } catch (RuntimeException e) {
      new Infrastructure(null, null, started).close();
      throw e;
    }
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
  private static void requireOurs(
      boolean ours, String server, int port, Path dir, String urlVariable, String portSetting) {
    if (!ours) {
      throw new ConfigException(
          urlVariable
              + " is not set and port "
              + port
              + " is taken by something other than the embedded "
              + server
              + " of "
              + dir.toAbsolutePath()
              + "; set "
              + urlVariable
              + " to use that server, or "
              + ConfigSource.envName(portSetting)
              + " to another port");
    }
  }

  /** Only the embedded jar has the broker's classes: without them, no broker of ours runs here. */
  private static boolean kafkaRunsFrom(Path dir, int port) {
    try {
      Class.forName("kafka.server.KafkaRaftServer", false, Infrastructure.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      return false;
    }
    return dev.soma.resilience.embedded.EmbeddedKafkaBroker.runsFrom(dir, port);
  }

  private static void requireEmbedded(String className, String variable) {
    try {
      Class.forName(className, false, Infrastructure.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new ConfigException(
          variable
              + " is not set, and this jar has no embedded server;"
              + " set it, or run soma-resilience-embedded.jar");
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
