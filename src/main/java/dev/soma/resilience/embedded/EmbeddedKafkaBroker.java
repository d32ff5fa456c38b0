package dev.soma.resilience.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka 4.1 broker (KRaft, combined broker + controller) running inside
 * this JVM.
 *
 * <ul>
 *   <li>{@link #start} formats {@code dataDir} only if it is not formatted yet, so topics, records
 *       and committed offsets survive {@link #stop()} and a later start (same JVM or a new process)
 *       with the same dir and port.
 *   <li>Listens on 127.0.0.1 only: PLAINTEXT on {@link #port()} (0 = a free port, chosen once per
 *       instance) and a CONTROLLER listener on a port chosen when the dir is first used, kept in
 *       {@code dataDir/controller.port}.
 *   <li>{@code start} returns only once the broker answers an Admin {@code describeCluster} (it is
 *       then unfenced and accepts produce requests); otherwise it shuts what it started down and
 *       throws {@link IllegalStateException}.
 *   <li>{@link #stop()} is a clean, blocking, idempotent shutdown; {@link #restart()} starts again
 *       on the same port/dir.
 *   <li>Replication factor 1 and min ISR 1 for every internal topic, {@code
 *       group.initial.rebalance.delay.ms=0}, auto topic creation on with 3 partitions per topic;
 *       {@code overrides} may change any of it.
 *   <li>Never exits the JVM: Kafka's {@link Exit} hook is redirected JVM-wide to log and throw
 *       instead.
 * </ul>
 *
 * Kafka logs through SLF4J; set loggers {@code kafka}, {@code org.apache.kafka} and {@code
 * state.change.logger} to WARN.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
  static final String HOST = "127.0.0.1";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final Path dataDir;
  private final int port;
  private final Map<String, String> overrides;
  private KafkaRaftServer server;

  private EmbeddedKafkaBroker(Path dataDir, int port, Map<String, String> overrides) {
    this.dataDir = dataDir;
    this.port = port;
    this.overrides = Map.copyOf(overrides);
  }

  /** Same as {@code start(dataDir, port, Map.of())}. */
  public static EmbeddedKafkaBroker start(Path dataDir, int port) {
    return start(dataDir, port, Map.of());
  }

  /**
   * Formats {@code dataDir} if needed, starts the broker on {@code port} (0 = any free port), waits
   * until ready. {@code overrides} replace broker properties (e.g. {@code
   * auto.create.topics.enable=false}); in their values {@link #CONTROLLER_PORT} stands for the
   * controller listener's port (to add a listener, {@code listeners} must still name it).
   */
  public static EmbeddedKafkaBroker start(Path dataDir, int port, Map<String, String> overrides) {
    EmbeddedKafkaBroker broker =
        new EmbeddedKafkaBroker(
            dataDir.toAbsolutePath(), port == 0 ? BrokerStorage.freePort() : port, overrides);
    broker.startServer();
    return broker;
  }

  /** Stands for the controller listener's port in the values of {@code overrides}. */
  public static final String CONTROLLER_PORT = "{controller.port}";

  /** Where the broker notes the port it listens on. */
  private static final String PORT_FILE = "broker.port";

  /**
   * Whether a broker (in this or another process) runs from {@code dataDir} on {@code port}: Kafka
   * holds a lock on its log directory's {@code .lock} file while it runs, and the broker noted its
   * port in the data directory when it started.
   */
  public static boolean runsFrom(Path dataDir, int port) {
    Path dir = dataDir.toAbsolutePath();
    Path lockFile = dir.resolve("logs").resolve(".lock");
    try {
      if (!Files.exists(lockFile)
          || Integer.parseInt(Files.readString(dir.resolve(PORT_FILE)).trim()) != port) {
        return false;
      }
    } catch (IOException | NumberFormatException e) {
      return false;
    }
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        return true; // held by another process
      }
      lock.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true; // held in this JVM
    } catch (IOException e) {
      return false;
    }
  }

  public String bootstrapServers() {
    return HOST + ":" + port;
  }

  public int port() {
    return port;
  }

  /** Stops the broker if it runs, then starts it again on the same port and data directory. */
  public synchronized EmbeddedKafkaBroker restart() {
    stop();
    startServer();
    return this;
  }

  /** Clean shutdown of broker and controller; returns when done. No-op when already stopped. */
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    long t0 = System.nanoTime();
    try {
      shutDown(server);
    } finally {
      server = null;
    }
    LOG.info(
        "Embedded Kafka on {} stopped in {} ms",
        bootstrapServers(),
        (System.nanoTime() - t0) / 1_000_000);
  }

  @Override
  public void close() {
    stop();
  }

  private synchronized void startServer() {
    long t0 = System.nanoTime();
    installExitGuard();
    KafkaRaftServer s = Uninterrupted.call("embedded-kafka-start", this::newServer);
    try {
      Uninterrupted.call(
          "embedded-kafka-start",
          () -> {
            s.startup();
            return s;
          });
      BrokerReadiness.await(bootstrapServers(), READY_TIMEOUT);
    } catch (RuntimeException e) {
      try {
        shutDown(s);
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new IllegalStateException(
          "Embedded Kafka failed to start on " + bootstrapServers() + " (data " + dataDir + ")", e);
    }
    server = s;
    try {
      Files.writeString(dataDir.resolve(PORT_FILE), port + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + dataDir.resolve(PORT_FILE), e);
    }
    LOG.info(
        "Embedded Kafka ready on {} in {} ms",
        bootstrapServers(),
        (System.nanoTime() - t0) / 1_000_000);
  }

  /** Formats the data directory if needed; the server, not started yet. */
  private KafkaRaftServer newServer() {
    Path logDir = dataDir.resolve("logs");
    KafkaConfig config =
        KafkaConfig.fromProps(
            BrokerStorage.properties(
                HOST, port, BrokerStorage.controllerPort(dataDir), logDir, overrides),
            false);
    if (!Files.exists(logDir.resolve("meta.properties"))) {
      BrokerStorage.format(config, logDir);
    }
    return new KafkaRaftServer(config, Time.SYSTEM);
  }

  /** Shuts {@code s} down, out of reach of a stop signal's interrupt ({@link Uninterrupted}). */
  private static void shutDown(KafkaRaftServer s) {
    Uninterrupted.run(
        () -> {
          s.shutdown();
          s.awaitShutdown();
        });
  }

  private static void installExitGuard() {
    Exit.Procedure refuse =
        (code, msg) -> {
          LOG.error("Embedded Kafka asked to terminate the JVM (status {}): {}", code, msg);
          throw new IllegalStateException(
              "Embedded Kafka asked to terminate the JVM (status " + code + "): " + msg);
        };
    Exit.setExitProcedure(refuse);
    Exit.setHaltProcedure(refuse);
  }
}
