package dev.soma.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/**
 * {@code flags list|set|check|clear}, run in-process as {@code main} runs them against real
 * PostgreSQL: JSON lines out, the change audited, and bad input as one line with exit code 2.
 */
@ExtendWith(TestServices.class)
class FlagsCommandIT {

  private final StringWriter out = new StringWriter();
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
  void aRuleIsSetCheckedListedAndClearedWithItsAudit() throws Exception {
    assertThat(
            run(
                "flags",
                "set",
                "llm.canary-chain",
                "--allow",
                "acme,beta",
                "--deny",
                "gamma",
                "--percent",
                "10",
                "--operator",
                "alice",
                "--reason",
                "canary week"))
        .as(err.toString())
        .isZero();
    JsonObject rule = new JsonObject(lastLine()).getJsonObject("rule");
    assertThat(rule.getJsonArray("allow")).containsExactly("acme", "beta");
    assertThat(rule.getInteger("percentage")).isEqualTo(10);

    assertThat(run("flags", "check", "llm.canary-chain", "gamma")).isZero();
    assertThat(new JsonObject(lastLine()).getString("reason")).isEqualTo("deny-list");
    assertThat(run("flags", "check", "llm.canary-chain", "acme")).isZero();
    assertThat(new JsonObject(lastLine()).getBoolean("on")).isTrue();

    assertThat(run("flags", "list")).isZero();
    assertThat(out.toString().lines().map(JsonObject::new).map(j -> j.getString("name")))
        .contains("relay.tenant-quotas", "memory.queue-first", "llm.canary-chain");

    assertThat(run("flags", "clear", "llm.canary-chain", "--operator", "bob")).isZero();
    assertThat(lastLine())
        .isEqualTo("flag llm.canary-chain back to its default (off for every tenant)");
    assertThat(run("flags", "check", "llm.canary-chain", "acme")).isZero();
    assertThat(new JsonObject(lastLine()).getString("reason")).isEqualTo("default");
    assertThat(
            fx.query("SELECT action || ' by ' || operator FROM admin_audit ORDER BY id").stream()
                .map(row -> row.getString(0)))
        .containsExactly("flag.set by alice", "flag.clear by bob");
  }

  @Test
  void badInputIsOneLineAndExitCodeTwo() throws Exception {
    for (List<String> args :
        List.of(
            List.of("flags", "set", "no.such-flag", "--percent", "1", "--operator", "a"),
            List.of("flags", "set", "llm.canary-chain", "--percent", "101", "--operator", "a"),
            List.of(
                "flags",
                "set",
                "llm.canary-chain",
                "--allow",
                "Not!",
                "--percent",
                "1",
                "--operator",
                "a"),
            List.of("flags", "set", "llm.canary-chain", "--operator", "a"),
            List.of("flags", "check", "llm.canary-chain", "Bad Id"),
            List.of("flags", "clear", "llm.canary-chain"))) {
      err.getBuffer().setLength(0);
      assertThat(run(args.toArray(String[]::new))).as(args.toString()).isEqualTo(2);
      assertThat(err.toString().lines()).as(args.toString()).hasSize(1);
    }
    assertThat(err.toString()).isNotBlank();
    assertThat(fx.count("SELECT count(*) FROM admin_audit")).isZero();
  }

  private String lastLine() {
    List<String> lines = out.toString().lines().toList();
    return lines.get(lines.size() - 1);
  }

  private int run(String... args) {
    Map<String, String> env = new HashMap<>();
    env.put("SA01_DATABASE_URL", TestServices.databaseUrlSetting(fx.databaseUrl));
    env.put("SA01_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap());
    env.put("SA01_DATA_DIR", TestServices.tempDir("cli-flags").toString());
    CommandLine cli = Main.commandLine(env);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }
}
