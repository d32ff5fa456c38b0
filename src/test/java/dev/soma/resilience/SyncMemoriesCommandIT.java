package dev.soma.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.memory.Memory;
import dev.soma.resilience.memory.PendingMemories;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.SomaBrainDouble;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/**
 * {@code sync-memories --once}, run in-process as {@code main} runs it, against a SomaBrain double:
 * it drains the pending-memory queue in order, and a memory SomaBrain keeps failing goes to the
 * dead letters after its {@code maxAttempts}, not before.
 */
@ExtendWith(TestServices.class)
class SyncMemoriesCommandIT {

  private static final String TENANT = "tenant-m";
  private final Vertx doubles = Vertx.vertx();
  private StringWriter out;
  private StringWriter err;
  private OutboxFixture fx;
  private SomaBrainDouble brain;

  @BeforeEach
  void setUp() throws Exception {
    fx = new OutboxFixture();
    brain = SomaBrainDouble.start(doubles, "brain-token");
  }

  @AfterEach
  void tearDown() throws Exception {
    brain.close();
    Blocking.await(doubles.close(), Duration.ofSeconds(10));
    fx.close();
  }

  @Test
  void syncMemoriesOnceSendsTheQueuedMemoriesInOrderAndPrintsASummary() throws Exception {
    for (String key : new String[] {"m1", "m2", "m3"}) {
      enqueue(key, 10);
    }

    int exit = run("sync-memories", "--once");

    assertThat(err.toString()).isEmpty();
    assertThat(exit).isZero();
    assertThat(out.toString())
        .isEqualTo(
            "synced 3 memory(ies); 0 failed and will be retried or were dead-lettered"
                + System.lineSeparator());
    assertThat(brain.writes(TENANT)).containsExactly("m1", "m2", "m3");
    assertThat(fx.count("SELECT count(*) FROM pending_memories WHERE status = 'synced'"))
        .isEqualTo(3);
  }

  @Test
  void aMemorySomaBrainKeepsFailingIsDeadLetteredAfterItsMaxAttempts() throws Exception {
    enqueue("doomed", 3);
    brain.failWith(500);

    // a pass makes one attempt, or more (its first round may start on the sync's own timer)
    for (int pass = 1;
        pass <= 3 && memory("doomed").getString("status").equals("pending");
        pass++) {
      assertThat(run("sync-memories", "--once")).as("pass %d", pass).isEqualTo(1);
      Row row = memory("doomed");
      if (row.getString("status").equals("pending")) {
        assertThat(row.getInteger("attempts")).as("still waiting after").isBetween(1, 2);
        assertThat(fx.count("SELECT count(*) FROM dead_letter_messages")).isZero();
      }
    }

    assertThat(memory("doomed").getString("status")).isEqualTo("dead");
    Row letter =
        fx.query(
                "SELECT topic, dedupe_key, message_key, attempts, error_message"
                    + " FROM dead_letter_messages")
            .get(0);
    assertThat(letter.getString("topic")).isEqualTo(PendingMemories.DEAD_LETTER_TOPIC);
    // a memory is its namespace and key: the same key in another namespace is another letter
    assertThat(letter.getString("dedupe_key")).isEqualTo("notes/doomed");
    assertThat(letter.getString("message_key")).isEqualTo(TENANT + ":notes/doomed");
    assertThat(letter.getInteger("attempts")).isEqualTo(3);
    assertThat(brain.writes(TENANT)).isEmpty();
  }

  private void enqueue(String key, int maxAttempts) throws Exception {
    Memory memory =
        new Memory(TENANT, "notes", key, new JsonObject().put("text", key), new JsonObject());
    Blocking.await(
        new PendingMemories(fx.pool).enqueue(fx.pool, memory, maxAttempts), Duration.ofSeconds(10));
  }

  private Row memory(String key) throws Exception {
    return fx.query("SELECT status, attempts FROM pending_memories WHERE memory_key = $1", key)
        .get(0);
  }

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("SA01_DATABASE_URL", TestServices.databaseUrlSetting(fx.databaseUrl));
    env.put("SA01_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap());
    env.put("SA01_DATA_DIR", TestServices.tempDir("sync-memories").toString());
    env.put("SA01_SOMABRAIN_URL", brain.url());
    env.put("SA01_SOMABRAIN_TOKEN", "brain-token");
    // a retry is due at once, so each --once pass is one more attempt
    env.put("SA01_MEMORY_BACKOFF_INITIAL_MS", "1");
    env.put("SA01_MEMORY_BACKOFF_MAX_MS", "1");
    return env;
  }

  private int run(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    CommandLine cli = Main.commandLine(env());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }
}
