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
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
  }

  /** Replays {@code journal} until nothing waits in it. */
  private JournalReplay replay(Journal journal) throws Exception {
    JournalReplay replay =
        AgentApi.journalReplay(
            app.pool(),
            app.leaseKeeper(),
            app.outbox(),
            app.memories(config, () -> false).service(),
            config,
            journal,
            Duration.ofMillis(20));
    String id = Blocking.await(app.vertx().deployVerticle(replay), Duration.ofSeconds(10));
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> journal.pendingRecords() == 0);
    } finally {
      Blocking.await(app.vertx().undeploy(id), Duration.ofSeconds(10));
    }
    return replay;
  }

  /**
   * A journal of conversation messages as the API journals them, one per {@code [tenant:]message},
   * tenant {@code acme} unless given; message {@code m4} carries an {@code Idempotency-Key}.
   */
  private Journal journal(String... messages) throws Exception {
    Path dir = TestServices.tempDir("journal-replay");
    Journal journal =
        Journal.open(
            new JournalSettings(dir, 1 << 20, Duration.ofHours(1), 1 << 24), Clock.systemUTC());
    journals.add(journal);
    for (String given : messages) {
      String tenant = given.contains(":") ? given.substring(0, given.indexOf(':')) : "acme";
      String message = given.substring(given.indexOf(':') + 1);
      JsonObject request =
          new JsonObject()
              .put("conversationId", "c")
              .put("messageId", message)
              .put("role", "user")
              .put("content", "hello " + message)
              .put("metadata", new JsonObject());
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
