package dev.soma.resilience;

import dev.soma.resilience.config.DatabaseUrl;
import dev.soma.resilience.config.ServiceConfig;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where PostgreSQL and Kafka are. A configured address is used as is; an unconfigured one starts
 * the embedded server with its data under {@code dataDir}, so stopping and starting the service
 * loses nothing; when the embedded port already answers (a service running on this machine),
 * commands share that server instead ({@link EmbeddedServer}). The embedded servers are only in the
 * {@code -embedded} jar: the production jar refuses to start without addresses, saying which
 * variable to set. Blocking; runs in {@code main}.
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
          EmbeddedServer.postgres(config).resolve(config.database().url(), started);
      String kafka =
          EmbeddedServer.kafka(config).resolve(config.kafka().bootstrapServers(), started);
      return new Infrastructure(database, kafka, started);
    } catch (RuntimeException e) {
      new Infrastructure(null, null, started).close();
      throw e;
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
