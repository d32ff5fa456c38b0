package dev.soma.resilience;

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.journal.Journal;
import dev.soma.resilience.testing.FreePort;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.RelayProcess;
import dev.soma.resilience.testing.RelayProcesses;
import dev.soma.resilience.testing.TestServices;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * A node that cannot start says why in one line and exits, as an operator starts it: a node that
 * cannot join its cluster (exit 3, rather than running alone), a second node on a data directory in
 * use (exit 2). The cluster's refusals run the service's {@code Main} in a JVM of its own, so that
 * everything it writes is seen: the one line, and no stack trace before it.
 */
@ExtendWith(TestServices.class)
class StartupRefusalsIT {

  @RegisterExtension final RelayProcesses processes = new RelayProcesses();
  private final StringWriter err = new StringWriter();
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
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aNodeWhoseClusterAddressIsNotThisMachinesExitsWith3AndOneLine() throws Exception {
    int port = FreePort.find();
    Map<String, String> env = env();
    // TEST-NET-1: an address no machine here has, so Hazelcast cannot take it
    env.put("SA01_CLUSTER_HOST", "192.0.2.1");
    env.put("SA01_CLUSTER_PORT", Integer.toString(port));
    env.put("SA01_CLUSTER_MEMBERS", "192.0.2.1:" + port);

    RelayProcess node = processes.startMain("unbindable", env);

    assertThat(node.awaitExit(Duration.ofSeconds(90))).as(node.output()).isEqualTo(3);
    assertThat(clusterLines(node))
        .singleElement(as(InstanceOfAssertFactories.STRING))
        .startsWith(
            "cluster: could not join the cluster through 192.0.2.1:" + port + " as 192.0.2.1:");
    assertNoStackTrace(node);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aNodeThatCannotJoinWithinTheJoinTimeoutExitsWith3AndOneLineNamingTheSetting()
      throws Exception {
    int nobody = FreePort.find();
    Map<String, String> env = env();
    env.put("SA01_CLUSTER_HOST", "127.0.0.1");
    env.put("SA01_CLUSTER_PORT", Integer.toString(FreePort.find()));
    env.put("SA01_CLUSTER_MEMBERS", "127.0.0.1:" + nobody);
    // Hazelcast waits 1 s before joining, then 5 s for a member to answer before it starts a
    // cluster alone: a join can never be over within 1 s
    env.put("SA01_CLUSTER_JOIN_TIMEOUT_SECONDS", "1");

    RelayProcess node = processes.startMain("unjoined", env);

    assertThat(node.awaitExit(Duration.ofSeconds(90))).as(node.output()).isEqualTo(3);
    assertThat(clusterLines(node))
        .containsExactly(
            "cluster: could not join the cluster through 127.0.0.1:"
                + nobody
                + " within 1 s (SA01_CLUSTER_JOIN_TIMEOUT_SECONDS)");
    assertNoStackTrace(node);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aSecondNodeOnTheSameDataDirectoryExitsWith2AndOneLine() throws Exception {
    Map<String, String> env = env();
    env.remove("SA01_CLUSTER_ENABLED");
    ServiceConfig config = ServiceConfig.load(env);
    // the first node's journal, open (and locked) as a running service holds it
    try (Journal held = Journal.open(config.journal().settings(), Clock.systemUTC())) {
      int exit = run(env);

      assertThat(exit).isEqualTo(2);
      assertThat(err.toString())
          .startsWith("journal: the journal in " + config.journal().dir())
          .hasLineCount(1);
    }
  }

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("SA01_DATABASE_URL", TestServices.databaseUrlSetting(fx.databaseUrl));
    env.put("SA01_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap());
    env.put("SA01_DATA_DIR", TestServices.tempDir("startup-refusals").toString());
    env.put("SA01_HTTP_PORT", "0");
    env.put("SA01_CLUSTER_ENABLED", "true");
    env.put("SA01_CLUSTER_JOIN_TIMEOUT_SECONDS", "20");
    return env;
  }

  private static List<String> clusterLines(RelayProcess node) {
    return node.output().lines().filter(line -> line.startsWith("cluster: ")).toList();
  }

  private static void assertNoStackTrace(RelayProcess node) {
    assertThat(node.output().lines())
        .as(node.output())
        .noneMatch(line -> line.startsWith("\tat ") || line.startsWith("Caused by: "));
  }

  private int run(Map<String, String> env) {
    CommandLine cli = Main.commandLine(env);
    cli.setErr(new PrintWriter(err, true));
    return cli.execute();
  }
}
