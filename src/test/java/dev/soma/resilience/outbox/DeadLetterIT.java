package dev.soma.resilience.outbox;

import static dev.soma.resilience.testing.KafkaReader.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.OutboxConfig;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.embedded.EmbeddedKafkaBroker;
import dev.soma.resilience.outbox.internal.DeadLetterPublisher;
import dev.soma.resilience.testing.KafkaReader;
import dev.soma.resilience.testing.LogCapture;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.NewTopic;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Records that cannot be published end in the dead letters and on {@code <topic>.dlq}. */
@ExtendWith(TestServices.class)
class DeadLetterIT {

  private final String kafka = TestServices.kafkaBootstrap();
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
  void lettersKafkaKeepsRefusingDoNotHoldBackTheOnesAfterThem() throws Exception {
    String topic = TestServices.topic("dlq-behind");
    // Kafka names are at most 249 characters: these letters' <topic>.dlq can never exist
    for (int i = 0; i < 3; i++) {
      insertLetter("x".repeat(247), "refused-" + i);
    }
    insertLetter(topic, "behind-them");
    DeadLetterPublisher publisher =
        new DeadLetterPublisher(fx.pool, fx.producer(OutboxFixture.config(Map.of()), kafka));

    for (int round = 0; round < 3; round++) {
      Blocking.await(publisher.publishPending(2), Duration.ofSeconds(60));
    }

    assertThat(fx.query("SELECT dedupe_key FROM dead_letter_messages WHERE dlq_published"))
        .extracting(row -> row.getString(0))
        .containsExactly("behind-them");
    assertThat(KafkaReader.read(kafka, topic + ".dlq", 1, Duration.ofSeconds(20)))
        .extracting(r -> header(r, "dedupe-key"))
        .containsExactly("behind-them");
  }

  @Test
  void aPlainSqlInsertWithATopicKafkaCannotAcceptIsRefused() throws Exception {
    for (String topic : List.of("bad topic!", "a".repeat(250), ".", "..", "orders/eu")) {
      assertThatThrownBy(
              () ->
                  fx.query(
                      "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, payload)"
                          + " VALUES ('t1', 'k', $1, '{}')",
                      topic))
          .as(topic)
          .isInstanceOf(PgException.class)
          .hasMessageContaining("ck_outbox_topic_kafka_legal");
    }
    fx.query(
        "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, payload)"
            + " VALUES ('t1', 'k', $1, '{}')",
        "a".repeat(249));
    assertThat(fx.countStatus("pending")).isEqualTo(1);
  }

  @Test
  void aLetterWhoseDlqTopicCanNeverExistIsNeverSent() throws Exception {
    String topic = TestServices.topic("dlq-after-bad");
    insertLetter("bad topic!", "hopeless");
    insertLetter(topic, "fine");
    DeadLetterPublisher publisher =
        new DeadLetterPublisher(fx.pool, fx.producer(OutboxFixture.config(Map.of()), kafka));

    try (LogCapture log = LogCapture.of(DeadLetterPublisher.class)) {
      for (int round = 0; round < 2; round++) {
        Blocking.await(publisher.publishPending(10), Duration.ofSeconds(60));
      }

      assertThat(log.messages()).noneMatch(line -> line.contains("bad topic!"));
    }
    assertThat(fx.query("SELECT dedupe_key FROM dead_letter_messages WHERE dlq_published"))
        .extracting(row -> row.getString(0))
        .containsExactly("fine");
  }

  @Test
  void theTopicCheckSettlesPendingRowsWrittenBeforeItAsDeadLetters() throws Exception {
    fx.query("ALTER TABLE outbox_messages DROP CONSTRAINT ck_outbox_topic_kafka_legal");
    fx.query(
        "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, payload)"
            + " VALUES ('t1', 'old', 'bad topic!', '{}'), ('t1', 'ok', 'orders', '{}')");

    applyTopicCheck();

    assertThat(fx.query("SELECT dedupe_key, status FROM outbox_messages ORDER BY dedupe_key"))
        .extracting(row -> row.getString(0) + "=" + row.getString(1))
        .containsExactly("ok=pending", "old=dead");
    assertThat(fx.query("SELECT dedupe_key, topic, error_class FROM dead_letter_messages"))
        .extracting(row -> row.getString(0) + " " + row.getString(1) + " " + row.getString(2))
        .containsExactly("old bad topic! org.apache.kafka.common.errors.InvalidTopicException");
  }

  @Test
  void aDeadLetterOfATopicKafkaNeverAcceptsIsNotReplayedAndSaysWhy() throws Exception {
    fx.query("ALTER TABLE outbox_messages DROP CONSTRAINT ck_outbox_topic_kafka_legal");
    long eventId =
        fx.query(
                "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, payload, status)"
                    + " VALUES ('t1', 'old', 'bad topic!', '{}', 'dead') RETURNING id")
            .get(0)
            .getLong(0);
    applyTopicCheck();
    long letterId =
        fx.query(
                "INSERT INTO dead_letter_messages (outbox_id, tenant_id, dedupe_key, topic,"
                    + " message_key, payload, headers, error_message, error_class, attempts,"
                    + " created_at) VALUES ($1, 't1', 'old', 'bad topic!', 't1:old', '{}', '{}',"
                    + " 'refused', 'X', 1, now()) RETURNING id",
                eventId)
            .get(0)
            .getLong(0);

    assertThatThrownBy(
            () ->
                Blocking.await(
                    new DeadLetters(fx.pool, fx.outbox, new OutboxConfig.Replay(100, 1000))
                        .replay(letterId, "ops", null),
                    Duration.ofSeconds(10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "dead letter "
                + letterId
                + "'s topic is not a name Kafka accepts: its event can never be published,"
                + " resolve it instead");
    assertThat(fx.count("SELECT count(*) FROM dead_letter_messages WHERE NOT resolved"))
        .isEqualTo(1);
    assertThat(fx.countStatus("dead")).isEqualTo(1);
  }

  /** Runs V6 again, as it ran on a database that had rows before it. */
  private void applyTopicCheck() throws Exception {
    for (String statement :
        Files.readString(Path.of("sql/V6__outbox_topic_check.sql")).split(";\\s*\\n")) {
      if (!statement.isBlank()) {
        fx.query(statement);
      }
    }
  }

  private void insertLetter(String topic, String dedupeKey) throws Exception {
    fx.query(
        "INSERT INTO dead_letter_messages (outbox_id, tenant_id, dedupe_key, topic, message_key,"
            + " payload, headers, error_message, error_class, attempts, created_at)"
            + " VALUES (1, 't1', $1, $2, 't1:k', '{}', '{}', 'refused', 'X', 5, now())",
        dedupeKey,
        topic);
  }

  @Test
  void aRecordTooLargeIsDeadLetteredAtOnceWhileItsSuccessorsFlow() throws Exception {
    String topic = TestServices.topic("poison");
    fx.deployRelay(OutboxFixture.config(Map.of()), kafka, "relay");
    String huge = "x".repeat(2 * 1024 * 1024);
    fx.enqueue(
        List.of(
            OutboxEntry.of("t1", "big-1", topic, "agg", new JsonObject().put("blob", huge)),
            OutboxEntry.of("t1", "ok-2", topic, "agg", new JsonObject().put("n", 2))));

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> fx.count("SELECT count(*) FROM dead_letter_messages WHERE dlq_published") == 1);
    Row letter = fx.query("SELECT * FROM dead_letter_messages").get(0);
    assertThat(letter.getString("error_class")).endsWith("RecordTooLargeException");
    assertThat(letter.getInteger("attempts")).isEqualTo(1);
    assertThat(fx.meters.counter("dlq.messages", "topic", topic).count()).isEqualTo(1.0);
    assertThat(letter.getString("message_key")).isEqualTo("t1:agg");
    assertThat(letter.getJsonObject("payload").getString("blob")).hasSize(huge.length());
    assertThat(
            fx.query("SELECT status FROM outbox_messages WHERE dedupe_key = 'big-1'")
                .get(0)
                .getString("status"))
        .isEqualTo("dead");

    List<ConsumerRecord<String, String>> published =
        KafkaReader.read(kafka, topic, 1, Duration.ofSeconds(20));
    assertThat(published).extracting(r -> header(r, "dedupe-key")).containsExactly("ok-2");
    List<ConsumerRecord<String, String>> dlq =
        KafkaReader.read(kafka, topic + ".dlq", 1, Duration.ofSeconds(20));
    assertThat(dlq).hasSize(1);
    ConsumerRecord<String, String> dead = dlq.get(0);
    assertThat(dead.key()).isEqualTo("t1:agg");
    assertThat(header(dead, "dlq-error-class")).endsWith("RecordTooLargeException");
    assertThat(header(dead, "dlq-attempts")).isEqualTo("1");
    assertThat(header(dead, "dlq-original-topic")).isEqualTo(topic);
    assertThat(header(dead, "dedupe-key")).isEqualTo("big-1");
    assertThat(header(dead, "dlq-payload-omitted")).isEqualTo("true");
    assertThat(new JsonObject(dead.value()).getLong("deadLetterId"))
        .isEqualTo(letter.getLong("id"));
  }

  @Test
  void aRecordForAMissingTopicIsDeadLetteredAfterMaxAttemptsThenReplayed() throws Exception {
    // A broker that is up but will not create topics: the record's own problem, retried and
    // counted against its attempts (unlike an outage).
    EmbeddedKafkaBroker strict =
        EmbeddedKafkaBroker.start(
            TestServices.tempDir("strict"), 0, Map.of("auto.create.topics.enable", "false"));
    try {
      String bootstrap = strict.bootstrapServers();
      String topic = TestServices.topic("missing");
      ServiceConfig config = OutboxFixture.config(Map.of("SA01_KAFKA_MAX_BLOCK_MS", "1500"));
      Blocking.await(
          fx.pool
              .query(
                  "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic,"
                      + " partition_key, payload, max_attempts) VALUES ('t1', 'stuck-1', '"
                      + topic
                      + "', 'a', '{\"n\": 1}', 2)")
              .execute(),
          Duration.ofSeconds(10));
      fx.deployRelay(config, bootstrap, "relay");

      await().atMost(Duration.ofSeconds(60)).until(() -> fx.countStatus("dead") == 1);
      Row letter = fx.query("SELECT * FROM dead_letter_messages").get(0);
      assertThat(letter.getInteger("attempts")).isEqualTo(2);
      assertThat(letter.getString("error_class")).endsWith("TimeoutException");

      // The operator creates the topic and replays: the same event (same id) goes out.
      KafkaAdminClient admin =
          KafkaAdminClient.create(fx.vertx, Map.of("bootstrap.servers", bootstrap));
      Blocking.await(
          admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))), Duration.ofSeconds(20));
      Blocking.await(admin.close(), Duration.ofSeconds(10));
      DeadLetters deadLetters =
          new DeadLetters(fx.pool, fx.outbox, new OutboxConfig.Replay(100, 1000));
      long letterId = letter.getLong("id");
      Blocking.await(
          deadLetters.replay(letterId, "ops@example", "topic created"), Duration.ofSeconds(10));

      await().atMost(Duration.ofSeconds(30)).until(() -> fx.countStatus("published") == 1);
      Row resolved = fx.query("SELECT * FROM dead_letter_messages").get(0);
      assertThat(resolved.getBoolean("resolved")).isTrue();
      assertThat(resolved.getString("resolved_by")).isEqualTo("ops@example");
      assertThat(resolved.getString("resolution_notes")).isEqualTo("replayed: topic created");
      List<ConsumerRecord<String, String>> records =
          KafkaReader.read(bootstrap, topic, 1, Duration.ofSeconds(20));
      assertThat(records)
          .extracting(r -> header(r, "event-id"))
          .containsExactly(Long.toString(letter.getLong("outbox_id")));
      // a dead letter is replayed once
      assertThat(
              deadLetters
                  .replay(letterId, "ops@example", null)
                  .toCompletionStage()
                  .toCompletableFuture())
          .failsWithin(Duration.ofSeconds(10));
    } finally {
      strict.stop();
    }
  }
}
