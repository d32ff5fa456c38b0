package dev.soma.resilience.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the embedded broker keeps in its data directory, and the configuration it starts from: the
 * KRaft storage (formatted once), the controller port (fixed per directory, since the quorum names
 * it), and the broker properties.
 */
final class BrokerStorage {

  private static final Logger LOG = LoggerFactory.getLogger(BrokerStorage.class);

  private BrokerStorage() {}

  /** The broker's configuration: one node, loopback only, {@code overrides} laid over it. */
  static Properties properties(
      String host, int port, int controllerPort, Path logDir, Map<String, String> overrides) {
    String conf =
        """
        process.roles=broker,controller
        node.id=1
        controller.quorum.voters=1@%1$s:%3$d
        listeners=PLAINTEXT://%1$s:%2$d,CONTROLLER://%1$s:%3$d
        advertised.listeners=PLAINTEXT://%1$s:%2$d
        listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
        controller.listener.names=CONTROLLER
        inter.broker.listener.name=PLAINTEXT
        num.partitions=3
        auto.create.topics.enable=true
        default.replication.factor=1
        min.insync.replicas=1
        offsets.topic.replication.factor=1
        offsets.topic.num.partitions=5
        transaction.state.log.replication.factor=1
        transaction.state.log.min.isr=1
        transaction.state.log.num.partitions=5
        share.coordinator.state.topic.replication.factor=1
        share.coordinator.state.topic.min.isr=1
        group.initial.rebalance.delay.ms=0
        log.dirs=%4$s
        """
            .formatted(host, port, controllerPort, logDir);
    Properties p = new Properties();
    conf.lines()
        .forEach(
            line ->
                p.setProperty(
                    line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1)));
    overrides.forEach(
        (key, value) ->
            p.setProperty(
                key,
                value.replace(
                    EmbeddedKafkaBroker.CONTROLLER_PORT, Integer.toString(controllerPort))));
    return p;
  }

  /** Formats {@code logDir} for KRaft with a new cluster id. */
  static void format(KafkaConfig config, Path logDir) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      Files.createDirectories(logDir);
      new Formatter()
          .setPrintStream(new PrintStream(out, true, StandardCharsets.UTF_8))
          .setNodeId(config.nodeId())
          .setClusterId(Uuid.randomUuid().toString())
          .setControllerListenerName("CONTROLLER")
          .setMetadataLogDirectory(config.metadataLogDir())
          .setIgnoreFormatted(true)
          .addDirectory(logDir.toString())
          .run();
    } catch (Exception e) {
      throw new IllegalStateException("Cannot format Kafka storage in " + logDir + ": " + out, e);
    }
    LOG.info("Formatted KRaft storage: {}", out.toString(StandardCharsets.UTF_8).trim());
  }

  /**
   * The controller port is part of the quorum config, so it must not change for a data directory:
   * keep it in a file.
   */
  static int controllerPort(Path dataDir) {
    Path file = dataDir.resolve("controller.port");
    try {
      if (Files.exists(file)) {
        return Integer.parseInt(Files.readString(file).trim());
      }
      Files.createDirectories(dataDir);
      int controllerPort = freePort();
      Files.writeString(file, controllerPort + "\n");
      return controllerPort;
    } catch (IOException | NumberFormatException e) {
      throw new IllegalStateException("Cannot read or write the controller port file " + file, e);
    }
  }

  static int freePort() {
    try (ServerSocket socket =
        new ServerSocket(0, 1, InetAddress.getByName(EmbeddedKafkaBroker.HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("No free port on " + EmbeddedKafkaBroker.HOST, e);
    }
  }
}
