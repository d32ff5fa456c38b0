package dev.soma.resilience.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka 4.1 broker (KRaft, combined broker + controller) running in this JVM.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #start(Path, int)} formats {@code dataDir} only if it holds no formatted storage yet, so
 *       topics and records survive {@link #stop()} and a later start (same JVM or a new process) with the
 *       same {@code dataDir} and port.</li>
 *   <li>Listens on 127.0.0.1 only: PLAINTEXT on {@link #port()} (0 = a free port, chosen once) and a
 *       CONTROLLER listener on a free port chosen at format time and kept in {@code dataDir/embedded-kafka.properties}.</li>
 *   <li>{@code start} returns only when the broker answers an Admin {@code describeCluster}; otherwise it
 *       shuts the server down and throws {@link IllegalStateException}.</li>
 *   <li>{@link #stop()} is a clean, blocking, idempotent shutdown; {@link #restart()} starts it again on the
 *       same port and data.</li>
 *   <li>Replication factor 1 everywhere, min ISR 1, no initial rebalance delay, auto topic creation on.</li>
 *   <li>Kafka's {@link Exit} is redirected (JVM-wide) so that a fatal broker fault logs and throws
 *       instead of calling {@code System.exit}/{@code halt} on the host.</li>
 * </ul>
 * Not thread-safe beyond {@code stop}/{@code restart} being synchronized. Kafka logs through SLF4J: set the
 * loggers {@code kafka}, {@code org.apache.kafka} and {@code state.change.logger} to WARN to keep it quiet.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final String HOST = "127.0.0.1";
    private static final String STATE_FILE = "embedded-kafka.properties";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Path dataDir;
    private final int port;
    private final int numPartitions;
    private KafkaRaftServer server;

    private EmbeddedKafkaBroker(Path dataDir, int port, int numPartitions) {
        this.dataDir = dataDir;
        this.port = port;
        this.numPartitions = numPartitions;
    }

    /** Starts a broker with 3 partitions per auto-created topic. See {@link #start(Path, int, int)}. */
    public static EmbeddedKafkaBroker start(Path dataDir, int port) {
        return start(dataDir, port, 3);
    }

    /** Formats {@code dataDir} if needed, starts the broker on {@code port} (0 = free port) and waits until it is ready. */
    public static EmbeddedKafkaBroker start(Path dataDir, int port, int numPartitions) {
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dataDir.toAbsolutePath(), port == 0 ? freePort() : port, numPartitions);
        broker.startServer();
        return broker;
    }

    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** Stops (if running) and starts the broker again on the same port and data directory. */
    public synchronized EmbeddedKafkaBroker restart() {
        stop();
        startServer();
        return this;
    }

    /** Clean shutdown; returns once the broker and controller have stopped. Does nothing if already stopped. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            server = null;
        }
        LOG.info("Embedded Kafka on {} stopped in {} ms", bootstrapServers(), (System.nanoTime() - t0) / 1_000_000);
    }

    @Override
    public void close() {
        stop();
    }

    private synchronized void startServer() {
        long t0 = System.nanoTime();
        installExitGuard();
        Path logDir = dataDir.resolve("logs");
        KafkaConfig config = KafkaConfig.fromProps(brokerProperties(logDir, controllerPort()), false);
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            format(config, logDir);
        }
        KafkaRaftServer s = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            s.startup();
            awaitReady();
        } catch (RuntimeException e) {
            try {
                s.shutdown();
                s.awaitShutdown();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new IllegalStateException("Embedded Kafka failed to start on " + bootstrapServers() + " (data " + dataDir + ")", e);
        }
        server = s;
        LOG.info("Embedded Kafka ready on {} in {} ms", bootstrapServers(), (System.nanoTime() - t0) / 1_000_000);
    }

    private Properties brokerProperties(Path logDir, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", String.valueOf(numPartitions));
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("auto.create.topics.enable", "true");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        return p;
    }

    private void format(KafkaConfig config, Path logDir) {
        try {
            Files.createDirectories(logDir);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Formatter formatter = new Formatter()
                    .setPrintStream(new PrintStream(out, true, StandardCharsets.UTF_8))
                    .setNodeId(config.nodeId())
                    .setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .setIgnoreFormatted(true)
                    .addDirectory(logDir.toString());
            formatter.run();
            LOG.info("Formatted KRaft storage: {}", out.toString(StandardCharsets.UTF_8).trim());
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format Kafka storage in " + logDir, e);
        }
    }

    /** The controller port is chosen once per data directory and kept in a small file next to the logs. */
    private int controllerPort() {
        Path file = dataDir.resolve(STATE_FILE);
        Properties state = new Properties();
        try {
            Files.createDirectories(dataDir);
            if (Files.exists(file)) {
                try (InputStream in = Files.newInputStream(file)) {
                    state.load(in);
                }
                return Integer.parseInt(state.getProperty("controller.port"));
            }
            int controllerPort = freePort();
            state.setProperty("controller.port", String.valueOf(controllerPort));
            try (OutputStream out = Files.newOutputStream(file)) {
                state.store(out, "Embedded Kafka: controller port, must stay stable for this data directory");
            }
            return controllerPort;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or write " + file, e);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Map<String, Object> conf = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        Exception last = null;
        try (Admin admin = Admin.create(conf)) {
            while (System.nanoTime() < deadline) {
                try {
                    if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(5_000)).nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    last = e;
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for Kafka", e);
        }
        throw new IllegalStateException("Kafka on " + bootstrapServers() + " not ready within " + READY_TIMEOUT, last);
    }

    private static void installExitGuard() {
        Exit.setExitProcedure((code, msg) -> {
            LOG.error("Embedded Kafka requested exit({}): {}", code, msg);
            throw new IllegalStateException("Kafka requested exit(" + code + "): " + msg);
        });
        Exit.setHaltProcedure((code, msg) -> {
            LOG.error("Embedded Kafka requested halt({}): {}", code, msg);
            throw new IllegalStateException("Kafka requested halt(" + code + "): " + msg);
        });
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on " + HOST, e);
        }
    }
}
