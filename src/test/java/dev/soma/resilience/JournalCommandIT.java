package dev.soma.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.journal.Journal;
import dev.soma.resilience.journal.JournalRecord;
import dev.soma.resilience.journal.JournalReplay;
import dev.soma.resilience.journal.JournalSettings;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TenantKeys;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/**
 * {@code journal inspect} and {@code journal replay} on a journal written as the service writes it
 * (e.g. copied from a node that will not come back), against real PostgreSQL, run as {@code main}
 * runs them.
 */
@ExtendWith(TestServices.class)
class JournalCommandIT {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private OutboxFixture fx;
  private Path dir;

  @BeforeEach
  void setUp() throws Exception {
    fx = new OutboxFixture();
    dir = TestServices.tempDir("journal-cmd");
    TenantKeys.create(fx.pool, "acme");
    try (Journal journal =
        Journal.open(
            new JournalSettings(dir, 1 << 20, Duration.ofHours(1), 1 << 24), Clock.systemUTC())) {
      for (int i = 1; i <= 3; i++) {
        JsonObject request =
            new JsonObject()
                .put("conversationId", "c")
                .put("messageId", "m" + i)
                .put("role", "user")
                .put("content", "hello " + i)
                .put("metadata", new JsonObject());
        Blocking.await(
            journal.append(
                JournalRecord.of(
                    "conversation.message",
                    "acme",
                    "conv:c:m" + i,
                    Optional.empty(),
                    new JsonObject()
                        .put(JournalReplay.REQUEST, request)
                        .put(JournalReplay.STATUS, 202),
                    System.currentTimeMillis())),
            Duration.ofSeconds(10));
      }
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
  }

  @Test
  void inspectShowsWhatWaitsAndReplayWritesItIntoTheDatabaseOnce() throws Exception {
    assertThat(run("journal", "inspect", "--dir=" + dir)).isZero();
    assertThat(out.toString())
        .contains("3 record(s) waiting")
        .containsPattern("waiting +conversation.message +acme +3");

    assertThat(run("journal", "replay", "--dir=" + dir)).as(err.toString()).isZero();
    assertThat(out.toString()).contains("replayed 3 of 3 record(s)");
    assertThat(count("SELECT count(*) FROM conversation_messages WHERE tenant_id = 'acme'"))
        .isEqualTo(3);
    assertThat(count("SELECT count(*) FROM outbox_messages WHERE tenant_id = 'acme'")).isEqualTo(3);

    out.getBuffer().setLength(0);
    assertThat(run("journal", "inspect", "--dir=" + dir)).isZero();
    assertThat(out.toString()).contains("0 record(s) waiting");
  }

  @Test
  void aMissingDirectoryIsOneClearLine() {
    int exit = run("journal", "inspect", "--dir=" + dir.resolve("nope"));

    assertThat(exit).isNotZero();
    assertThat(err.toString().strip()).contains("no journal directory").doesNotContain("\n\tat ");
  }

  private long count(String sql) throws Exception {
    return Blocking.await(fx.pool.query(sql).execute(), Duration.ofSeconds(10))
        .iterator()
        .next()
        .getLong(0);
  }

  private int run(String... args) {
    Map<String, String> env = new HashMap<>();
    env.put("SA01_DATABASE_URL", TestServices.databaseUrlSetting(fx.databaseUrl));
    env.put("SA01_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap());
    env.put("SA01_DATA_DIR", TestServices.tempDir("journal-cmd-data").toString());
    CommandLine cli = Main.commandLine(env);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }
}
