package dev.soma.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.soma.resilience.config.ConfigException;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.embedded.EmbeddedKafkaBroker;
import dev.soma.resilience.testing.TestServices;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With no server configured, the embedded one's port may already be taken: by this data directory's
 * own server (a running service; this process is one of its commands), which is then used, or by
 * anything else, which stops start-up with a message instead of being used unnoticed.
 */
@ExtendWith(TestServices.class)
class InfrastructureIT {

  @Test
  void aStrangerOnTheEmbeddedKafkaPortStopsStartUpNamingThePortAndTheWayOut() throws Exception {
    try (ServerSocket stranger = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Map<String, String> env = withDatabase();
      env.put("SA01_KAFKA_EMBEDDED_PORT", Integer.toString(stranger.getLocalPort()));

      assertThatThrownBy(() -> Infrastructure.start(ServiceConfig.load(env)))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("SA01_KAFKA_BOOTSTRAP_SERVERS is not set")
          .hasMessageContaining("port " + stranger.getLocalPort() + " is taken")
          .hasMessageContaining("SA01_KAFKA_EMBEDDED_PORT");
    }
  }

  @Test
  void aStrangerOnTheEmbeddedPostgresPortStopsStartUp() throws Exception {
    try (ServerSocket stranger = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Map<String, String> env = new HashMap<>();
      env.put("SA01_DATA_DIR", TestServices.tempDir("infra").toString());
      env.put("SA01_DATABASE_EMBEDDED_PORT", Integer.toString(stranger.getLocalPort()));

      assertThatThrownBy(() -> Infrastructure.start(ServiceConfig.load(env)))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("SA01_DATABASE_URL is not set")
          .hasMessageContaining("port " + stranger.getLocalPort() + " is taken")
          .hasMessageContaining("SA01_DATABASE_EMBEDDED_PORT");
    }
  }

  @Test
  void theDataDirectorysOwnRunningBrokerIsUsed() throws Exception {
    Map<String, String> env = withDatabase();
    Path dataDir = Path.of(env.get("SA01_DATA_DIR"));
    try (EmbeddedKafkaBroker running = EmbeddedKafkaBroker.start(dataDir.resolve("kafka"), 0)) {
      env.put("SA01_KAFKA_EMBEDDED_PORT", Integer.toString(running.port()));

      try (Infrastructure infrastructure = Infrastructure.start(ServiceConfig.load(env))) {
        assertThat(infrastructure.kafkaBootstrap).isEqualTo(running.bootstrapServers());
      }
      assertThat(EmbeddedKafkaBroker.runsFrom(dataDir.resolve("kafka"), running.port())).isTrue();
      assertThat(EmbeddedKafkaBroker.runsFrom(dataDir, running.port())).isFalse();
    }
    assertThat(EmbeddedKafkaBroker.runsFrom(dataDir.resolve("kafka"), 0)).as("stopped").isFalse();
  }

  @Test
  void aStrangerOnTheEmbeddedPortIsRefusedEvenWhileTheDataDirectorysBrokerRunsElsewhere()
      throws Exception {
    Map<String, String> env = withDatabase();
    Path dataDir = Path.of(env.get("SA01_DATA_DIR"));
    try (EmbeddedKafkaBroker running = EmbeddedKafkaBroker.start(dataDir.resolve("kafka"), 0);
        ServerSocket stranger = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      env.put("SA01_KAFKA_EMBEDDED_PORT", Integer.toString(stranger.getLocalPort()));

      assertThatThrownBy(() -> Infrastructure.start(ServiceConfig.load(env)))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("port " + stranger.getLocalPort() + " is taken");
    }
  }

  private static Map<String, String> withDatabase() {
    Map<String, String> env = new HashMap<>();
    env.put("SA01_DATABASE_URL", TestServices.databaseUrlSetting(TestServices.freshDatabase()));
    env.put("SA01_DATA_DIR", TestServices.tempDir("infra").toString());
    return env;
  }
}
