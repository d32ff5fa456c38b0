package dev.soma.resilience.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.Application;
import dev.soma.resilience.api.AgentApi;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TenantKeys;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link JournalReplay} against real PostgreSQL, with the agent API's kinds: records are written a
 * batch per transaction, and a batch that fails is written again one record at a time, so that a
 * record already in the database (a replay after a crash, before the checkpoint) or a record that
 * cannot be written does not hold back, lose or duplicate its neighbours.
 */
@ExtendWith(TestServices.class)
class JournalReplayIT {

  private OutboxFixture fx;
  private Application app;
  private ServiceConfig config;
  private final List<Journal> journals = new ArrayList<>();
  private final Map<JournalReplay, String> deployments = new HashMap<>();
  private Path dir;

  @BeforeEach
  void setUp() throws Exception {
    fx = new OutboxFixture();
    TenantKeys.create(fx.pool, "acme");
    config =
        OutboxFixture.config(
            Map.of(
                "SA01_DATABASE_URL", TestServices.databaseUrlSetting(fx.databaseUrl),
                "SA01_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap(),
                "SA01_DATA_DIR", TestServices.tempDir("journal-replay-data").toString()));
    app = Application.start(config, Application.Role.TOOLS);
  }

  @AfterEach
  void tearDown() throws Exception {
    journals.forEach(Journal::close);
    if (app != null) {
      app.close();
    }
    fx.close();
  }

  @Test
  void aBatchOfRecordsIsWrittenInOneTransactionInJournalOrder() throws Exception {
    Journal journal = journal("m1", "m2", "m3", "m4", "m5");

    JournalReplay replay = replay(journal);

    assertThat(events()).containsExactly("m1", "m2", "m3", "m4", "m5");
    assertThat(count("SELECT count(DISTINCT xmin::text) FROM conversation_messages"))
        .as("transactions that wrote the messages")
        .isEqualTo(1);
    assertThat(replay.replayed()).isEqualTo(5);
  }

  @Test
  void messagesReplayedInOneTransactionAreListedInJournalOrderWhateverTheirIds() throws Exception {
    replay(journal("z9", "a1", "m5")); // ids in no order of their own

    assertThat(
            Blocking.await(
                    dev.soma.resilience.chat.Conversations.messages(fx.pool, "acme", "c", null, 10),
                    Duration.ofSeconds(10))
                .getJsonArray("messages")
                .stream()
                .map(m -> ((JsonObject) m).getString("messageId")))
        .containsExactly("z9", "a1", "m5");
  }

  @Test
  void aBatchHoldingRecordsAlreadyInTheDatabaseStoresEveryRecordOnce() throws Exception {
    // the first three were committed by a replay that crashed before its checkpoint
    replay(journal("m1", "m2", "m3"));
    Journal again = journal("m1", "m2", "m3", "m4", "m5");

    JournalReplay replay = replay(again);

    assertThat(count("SELECT count(*) FROM conversation_messages")).isEqualTo(5);
    assertThat(events()).containsExactly("m1", "m2", "m3", "m4", "m5");
    assertThat(count("SELECT count(*) FROM idempotency_records WHERE idem_key = 'key-m4'"))
        .as("the key of a record written in the one-by-one pass")
        .isEqualTo(1);
    assertThat(replay.replayed()).isEqualTo(5);
    assertThat(replay.failed()).isZero();
  }

  @Test
  void aRecordThatCannotBeWrittenIsPassedWhileItsNeighboursInTheBatchAreWritten() throws Exception {
    Journal journal = journal("m1", "ghost:m2", "m3"); // tenant "ghost" does not exist

    JournalReplay replay = replay(journal);

    assertThat(events()).containsExactly("m1", "m3");
    assertThat(replay.failed()).isEqualTo(1);
    assertThat(replay.replayed()).isEqualTo(2);
    assertThat(journal.pendingRecords()).isZero();
    // passed, not lost: a copy with the reason is set aside for a person to look at
    JsonObject copy = new JsonObject(Files.readString(dir.resolve("quarantine/record-2.json")));
    assertThat(copy.getString("reason")).contains("23503"); // the tenant's foreign key
    assertThat(copy.getJsonObject("record").getString("tenant")).isEqualTo("ghost");
    assertThat(copy.getJsonObject("record").getString("dedupeKey")).isEqualTo("conv:c:m2");
  }

  @Test
  void aRecordTheDatabaseFailsForAWhileIsKeptAndWrittenOnceItPassesWithItsSuccessorsAfterIt()
      throws Exception {
    // PostgreSQL fails m2's insert as a busy server would (serialization failure, 40001) while
    // the table replay_fault has a row: a failure that may pass, not a refusal of the record
    sql("CREATE TABLE replay_fault (on_message text)");
    sql("INSERT INTO replay_fault VALUES ('m2')");
    sql(
        "CREATE FUNCTION fail_while_asked() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF"
            + " EXISTS (SELECT 1 FROM replay_fault WHERE on_message = NEW.message_id) THEN RAISE"
            + " EXCEPTION 'test fault' USING ERRCODE = 'serialization_failure'; END IF; RETURN"
            + " NEW; END $$");
    sql(
        "CREATE TRIGGER fail_while_asked BEFORE INSERT ON conversation_messages FOR EACH ROW"
            + " EXECUTE FUNCTION fail_while_asked()");
    Journal journal = journal("m1", "m2", "m3");

    JournalReplay replay = replay(journal, () -> journal.pendingRecords() == 2);
    try {
      await() // rounds every 20 ms: m2 waits through dozens of them, m3 behind it
          .during(Duration.ofMillis(600))
          .atMost(Duration.ofSeconds(5))
          .until(() -> journal.pendingRecords() == 2);
      assertThat(events()).containsExactly("m1");
      assertThat(replay.failed()).isZero();

      sql("DELETE FROM replay_fault");
      await().atMost(Duration.ofSeconds(30)).until(() -> journal.pendingRecords() == 0);
    } finally {
      stop(replay);
    }
    assertThat(events()).containsExactly("m1", "m2", "m3");
    assertThat(replay.failed()).isZero();
    assertThat(dir.resolve("quarantine")).doesNotExist();
  }

  @Test
  void aMalformedRecordIsSetAsideAtOnceAndItsNeighboursAreWritten() throws Exception {
    Journal journal = journal("m1", "m2:malformed", "m3");

    JournalReplay replay = replay(journal);

    assertThat(events()).containsExactly("m1", "m3");
    assertThat(replay.failed()).isEqualTo(1);
    assertThat(
            new JsonObject(Files.readString(dir.resolve("quarantine/record-2.json")))
                .getString("reason"))
        .contains("ClassCastException");
  }

  @Test
  void runsOfMessagesAndToolResultsAreWrittenInOneTransactionInJournalOrderWithTheirKeysAnswers()
      throws Exception {
    JournalReplay replay = replay(mixed(MIXED));

    assertThat(eventKeys())
        .containsExactly(
            "conv:c1:m1",
            "conv:c2:m1",
            "conv:c1:m2",
            "tool:x1",
            "conv:c1:m3",
            "conv:c2:m2",
            "tool:x2",
            "conv:c1:m4");
    assertThat(
            count(
                "SELECT count(DISTINCT x) FROM (SELECT xmin::text x FROM conversation_messages"
                    + " UNION ALL SELECT xmin::text FROM tool_executions"
                    + " UNION ALL SELECT xmin::text FROM outbox_messages) t"))
        .as("transactions that wrote the batch")
        .isEqualTo(1);
    assertThat(answer("key-m3"))
        .isEqualTo(
            new JsonObject()
                .put("conversationId", "c1")
                .put("messageId", "m3")
                .put("status", "accepted")
                .put("eventKey", "conv:c1:m3"));
    assertThat(answer("key-x2"))
        .isEqualTo(
            new JsonObject()
                .put("conversationId", "c2")
                .put("executionId", "x2")
                .put("status", "accepted")
                .put("eventKey", "tool:x2"));
    assertThat(replay.replayed()).isEqualTo(MIXED.length);
  }

  @Test
  void aSecondReplayWritesNoRowAndNoEventTwiceEvenOnceTheFirstEventsWereCleanedUp()
      throws Exception {
    replay(mixed(MIXED));
    // the relay published them and housekeeping deleted them: only the rows tell they were written
    Blocking.await(fx.pool.query("DELETE FROM outbox_messages").execute(), Duration.ofSeconds(10));
    String[] again = Arrays.copyOf(MIXED, MIXED.length + 2);
    again[MIXED.length] = "c2:m5";
    again[MIXED.length + 1] = "c1:tool:x3";

    JournalReplay replay = replay(mixed(again));

    assertThat(eventKeys()).containsExactly("conv:c2:m5", "tool:x3");
    assertThat(count("SELECT count(*) FROM conversation_messages")).isEqualTo(7);
    assertThat(count("SELECT count(*) FROM tool_executions")).isEqualTo(3);
    assertThat(count("SELECT count(*) FROM idempotency_records")).isEqualTo(2);
    assertThat(answer("key-m3").getString("status")).isEqualTo("accepted");
    assertThat(replay.replayed()).isEqualTo(again.length);
    assertThat(replay.failed()).isZero();
  }

  /**
   * Messages and tool results of two conversations, interleaved: {@code conversation:message} or
   * {@code conversation:tool:execution}; {@code m3} and {@code x2} carry an {@code
   * Idempotency-Key}.
   */
  private static final String[] MIXED = {
    "c1:m1", "c2:m1", "c1:m2", "c1:tool:x1", "c1:m3", "c2:m2", "c2:tool:x2", "c1:m4"
  };

  /** A journal of {@code writes} (see {@link #MIXED}) as the API journals them, tenant acme. */
  private Journal mixed(String... writes) throws Exception {
    Path dir = TestServices.tempDir("journal-replay-mixed");
    Journal journal =
        Journal.open(
            new JournalSettings(dir, 1 << 20, Duration.ofHours(1), 1 << 24), Clock.systemUTC());
    journals.add(journal);
    for (String write : writes) {
      String[] parts = write.split(":");
      String conversation = parts[0];
      boolean tool = parts.length == 3;
      String id = parts[parts.length - 1];
      JsonObject request =
          tool
              ? new JsonObject()
                  .put("conversationId", conversation)
                  .put("executionId", id)
                  .put("toolName", "search")
                  .put("status", "succeeded")
                  .put("result", new JsonObject().put("hits", 3))
              : new JsonObject()
                  .put("conversationId", conversation)
                  .put("messageId", id)
                  .put("role", "user")
                  .put("content", "hello " + id)
                  .put("metadata", new JsonObject());
      JsonObject envelope =
          new JsonObject().put(JournalReplay.REQUEST, request).put(JournalReplay.STATUS, 202);
      Optional<String> key = Optional.empty();
      if (id.equals("m3") || id.equals("x2")) {
        key = Optional.of("key-" + id);
        envelope.put(JournalReplay.REQUEST_HASH, "hash-" + id);
      }
      Blocking.await(
          journal.append(
              JournalRecord.of(
                  tool ? "conversation.tool-result" : "conversation.message",
                  "acme",
                  tool ? "tool:" + id : "conv:" + conversation + ":" + id,
                  key,
                  envelope,
                  System.currentTimeMillis())),
          Duration.ofSeconds(10));
    }
    return journal;
  }

  /** The dedupe keys of the outbox's events, in the relay's order. */
  private List<String> eventKeys() throws Exception {
    List<String> keys = new ArrayList<>();
    for (Row row :
        Blocking.await(
            fx.pool.query("SELECT dedupe_key FROM outbox_messages ORDER BY id").execute(),
            Duration.ofSeconds(10))) {
      keys.add(row.getString(0));
    }
    return keys;
  }

  /** The answer stored under {@code key} (status 202 checked). */
  private JsonObject answer(String key) throws Exception {
    Row row =
        Blocking.await(
                fx.pool
                    .preparedQuery(
                        "SELECT response_status, response_body FROM idempotency_records"
                            + " WHERE idem_key = $1 AND status = 'completed'")
                    .execute(Tuple.of(key)),
                Duration.ofSeconds(10))
            .iterator()
            .next();
    assertThat(row.getInteger(0)).isEqualTo(202);
    return row.getJsonObject(1);
  }

  /** Replays {@code journal} until nothing waits in it. */
  private JournalReplay replay(Journal journal) throws Exception {
    JournalReplay replay = replay(journal, () -> journal.pendingRecords() == 0);
    stop(replay);
    return replay;
  }

  /** Starts replaying {@code journal} and waits (30 s at most) until {@code until} holds. */
  private JournalReplay replay(Journal journal, Callable<Boolean> until) throws Exception {
    JournalReplay replay =
        AgentApi.journalReplay(
            app.pool(),
            app.leaseKeeper(),
            app.outbox(),
            app.memories(config, () -> false).service(),
            config,
            journal,
            Duration.ofMillis(20));
    deployments.put(
        replay, Blocking.await(app.vertx().deployVerticle(replay), Duration.ofSeconds(10)));
    await().atMost(Duration.ofSeconds(30)).until(until);
    return replay;
  }

  private void stop(JournalReplay replay) throws Exception {
    Blocking.await(app.vertx().undeploy(deployments.remove(replay)), Duration.ofSeconds(10));
  }

  private void sql(String statement) throws Exception {
    Blocking.await(fx.pool.query(statement).execute(), Duration.ofSeconds(10));
  }

  /**
   * A journal of conversation messages as the API journals them, one per {@code
   * [tenant:]message[:malformed]}, tenant {@code acme} unless given (its directory in {@link
   * #dir}); message {@code m4} carries an {@code Idempotency-Key}; a malformed one's metadata is a
   * string.
   */
  private Journal journal(String... messages) throws Exception {
    dir = TestServices.tempDir("journal-replay");
    Journal journal =
        Journal.open(
            new JournalSettings(dir, 1 << 20, Duration.ofHours(1), 1 << 24), Clock.systemUTC());
    journals.add(journal);
    for (String given : messages) {
      boolean malformed = given.endsWith(":malformed");
      String name = malformed ? given.substring(0, given.indexOf(':')) : given;
      String tenant = name.contains(":") ? name.substring(0, name.indexOf(':')) : "acme";
      String message = name.substring(name.indexOf(':') + 1);
      JsonObject request =
          new JsonObject()
              .put("conversationId", "c")
              .put("messageId", message)
              .put("role", "user")
              .put("content", "hello " + message)
              .put("metadata", malformed ? (Object) "not an object" : new JsonObject());
      JsonObject envelope =
          new JsonObject().put(JournalReplay.REQUEST, request).put(JournalReplay.STATUS, 202);
      Optional<String> key = Optional.empty();
      if (message.equals("m4")) {
        key = Optional.of("key-m4");
        envelope.put(JournalReplay.REQUEST_HASH, "hash-m4");
      }
      Blocking.await(
          journal.append(
              JournalRecord.of(
                  "conversation.message",
                  tenant,
                  "conv:c:" + message,
                  key,
                  envelope,
                  System.currentTimeMillis())),
          Duration.ofSeconds(10));
    }
    return journal;
  }

  /** The messages whose events the outbox holds, in the relay's order. */
  private List<String> events() throws Exception {
    List<String> messages = new ArrayList<>();
    for (Row row :
        Blocking.await(
            fx.pool
                .query("SELECT payload->>'messageId' FROM outbox_messages ORDER BY id")
                .execute(),
            Duration.ofSeconds(10))) {
      messages.add(row.getString(0));
    }
    return messages;
  }

  private long count(String sql) throws Exception {
    return Blocking.await(fx.pool.query(sql).execute(), Duration.ofSeconds(10))
        .iterator()
        .next()
        .getLong(0);
  }
}
