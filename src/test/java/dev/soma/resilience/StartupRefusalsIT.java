package dev.soma.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.journal.Journal;
import dev.soma.resilience.testing.FreePort;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/**
 * A node that cannot join its cluster says why in one line and exits, rather than running alone.
 */
@ExtendWith(TestServices.class)
class ClusterJoinIT {

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
  void aNodeWhoseClusterAddressIsNotThisMachinesExitsWith3AndOneLine() {
    int port = FreePort.find();
    Map<String, String> env = env();
    // TEST-NET-1: an address no machine here has, so Hazelcast cannot take it
    env.put("SA01_CLUSTER_HOST", "192.0.2.1");
    env.put("SA01_CLUSTER_PORT", Integer.toString(port));
    env.put("SA01_CLUSTER_MEMBERS", "192.0.2.1:" + port);

    int exit = run(env);

    assertThat(exit).isEqualTo(3);
    assertThat(err.toString())
        .startsWith(
            "cluster: could not join the cluster through 192.0.2.1:" + port + " as 192.0.2.1:")
        .hasLineCount(1);
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

  private int run(Map<String, String> env) {
    CommandLine cli = Main.commandLine(env);
    cli.setErr(new PrintWriter(err, true));
    return cli.execute();
  }
}
