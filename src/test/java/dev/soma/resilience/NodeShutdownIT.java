package dev.soma.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.RelayProcess;
import dev.soma.resilience.testing.RelayProcesses;
import dev.soma.resilience.testing.TestServices;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node of the service in its own JVM stopped with SIGTERM, as an orchestrator stops it: readiness
 * answers 503 at once while the node still serves, then it stops within its grace; stopped while it
 * starts, it stops what had started and exits 0 as well.
 */
@ExtendWith(TestServices.class)
class NodeShutdownIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @RegisterExtension final RelayProcesses nodes = new RelayProcesses();
  private OutboxFixture fx;

  @BeforeEach
  void setUp() throws Exception {
    fx = new OutboxFixture();
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
  }

  @Test
  void onSigtermReadinessGoes503WhileTheNodeStillServesThenItStopsWithinItsGrace()
      throws Exception {
    RelayProcess node =
        nodes
            .start(
                "stopping",
                Application.Role.SERVICE,
                fx.databaseUrl,
                Map.of(
                    "SA01_SHUTDOWN_GRACE_SECONDS",
                    "9",
                    "SA01_REDIS_URL",
                    TestServices.redis().toString()))
            .awaitStarted(Duration.ofSeconds(90));
    assertThat(status(node, "/health/ready")).isEqualTo(200);

    long signalled = System.nanoTime();
    node.terminate();

    await("readiness 503")
        .atMost(Duration.ofSeconds(2))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> status(node, "/health/ready") == 503);
    // a third of the grace (3 s) still serving: a load balancer sees the 503 and stops sending
    assertThat(status(node, "/health/live")).isEqualTo(200);
    assertThat(status(node, "/v1/status")).isEqualTo(200);
    int exit = node.awaitExit(Duration.ofSeconds(15));
    Duration took = Duration.ofNanos(System.nanoTime() - signalled);

    assertThat(exit).as("exit status of a clean stop").isZero();
    assertThat(took).isBetween(Duration.ofSeconds(3), Duration.ofSeconds(9));
    assertThat(Files.readString(node.log()))
        .contains("stopping: readiness answers 503")
        .contains("soma-resilience stopped (SERVICE)");
  }

  @Test
  void aSigtermDuringStartUpStopsWhatHadStartedAndExits0() throws Exception {
    // a PostgreSQL that is not up yet: it takes connections and drops them, so start-up waits
    // (retrying for about 105 s), and each of its attempts shows the test where start-up is
    try (ServerSocket notUpYet = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      notUpYet.setSoTimeout(90_000);
      RelayProcess node =
          nodes.startMain(
              "stopped-while-starting",
              Map.of(
                  "SA01_DATABASE_URL",
                  "postgresql://soma@127.0.0.1:" + notUpYet.getLocalPort() + "/soma",
                  "SA01_KAFKA_BOOTSTRAP_SERVERS",
                  TestServices.kafkaBootstrap(),
                  "SA01_HTTP_HOST",
                  "127.0.0.1",
                  "SA01_HTTP_PORT",
                  "0",
                  "SA01_DATA_DIR",
                  TestServices.tempDir("stopped-while-starting").toString()));
      notUpYet.accept().close();

      node.terminate();
      int exit = node.awaitExit(Duration.ofSeconds(30));

      assertThat(exit).as("exit status (log: %s)", node.log()).isZero();
      assertThat(node.output())
          .contains("stopped during start-up (SIGTERM): what had started is stopped")
          .doesNotContain("soma-resilience up");
    }
  }

  /**
   * Both embedded servers, the stop signal while the broker starts (the database up already): Kafka
   * took the interrupt while it started for a fatal error (ERRORs with stack traces; early in its
   * start, a crash with status 1 that left the database running), and zonky's PostgreSQL, stopped
   * with the interrupt set, logged "Could not stop postmaster" with a stack trace.
   */
  @Test
  void aSigtermWhileTheEmbeddedServersStartStopsThemWithoutAnError() throws Exception {
    Path dataDir = TestServices.tempDir("stopped-while-servers-start");
    RelayProcess node =
        nodes.startMain(
            "stopped-while-servers-start",
            Map.of(
                "SA01_DATABASE_EMBEDDED_PORT",
                Integer.toString(freePort()),
                "SA01_KAFKA_EMBEDDED_PORT",
                Integer.toString(freePort()),
                "SA01_HTTP_HOST",
                "127.0.0.1",
                "SA01_HTTP_PORT",
                "0",
                "SA01_DATA_DIR",
                dataDir.toString()));
    // signal once the controller has written its first records: the broker is then waiting for
    // the controller to say it has caught up, where an interrupt used to be a fatal error
    Path metadataLog = dataDir.resolve("kafka/logs/__cluster_metadata-0/00000000000000000000.log");
    await("the embedded broker starting")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> Files.exists(metadataLog) && Files.size(metadataLog) > 0);

    node.terminate();
    int exit = node.awaitExit(Duration.ofSeconds(30));

    assertThat(exit).as("exit status (log: %s)", node.log()).isZero();
    assertThat(node.output())
        .contains("stopped during start-up (SIGTERM): what had started is stopped")
        .doesNotContain(" ERROR ")
        .doesNotContain("FATAL")
        .doesNotContain("Exception in thread")
        .doesNotContain("soma-resilience up");
    await("the embedded database stopped")
        .atMost(Duration.ofSeconds(10))
        .until(() -> !Files.exists(dataDir.resolve("postgres/postmaster.pid")));
  }

  private static int freePort() throws Exception {
    try (ServerSocket free = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      return free.getLocalPort();
    }
  }

  private static int status(RelayProcess node, String path) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
                .timeout(Duration.ofSeconds(2))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
