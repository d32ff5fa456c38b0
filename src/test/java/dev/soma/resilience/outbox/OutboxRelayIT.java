package dev.soma.resilience.outbox;

import static dev.soma.resilience.testing.KafkaReader.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.db.Transaction;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.testing.KafkaReader;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestServices.class)
class OutboxRelayIT {

  private OutboxFixture fx;
  private final String kafka = TestServices.kafkaBootstrap();

  @BeforeEach
  void setUp() throws Exception {
    fx = new OutboxFixture();
    Blocking.await(
        fx.pool.query("CREATE TABLE messages (id text PRIMARY KEY, body text NOT NULL)").execute(),
        Duration.ofSeconds(10));
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
  }

  @Test
  void publishesWithStableKeyPayloadAndHeadersAfterTheBusinessCommit() throws Exception {
    String topic = TestServices.topic("conversation.inbound");
    ServiceConfig config = OutboxFixture.config(Map.of());
    fx.deployRelay(config, kafka, "relay-a");
    String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    Blocking.await(
        Transaction.run(
            fx.pool,
            tx ->
                tx.preparedQuery("INSERT INTO messages (id, body) VALUES ($1, $2)")
                    .execute(Tuple.of("m-1", "hello"))
                    .compose(
                        v ->
                            fx.outbox.enqueue(
                                tx,
                                OutboxEntry.of(
                                        "tenant-a",
                                        "conv:c-1:m-1",
                                        topic,
                                        "c-1",
                                        new JsonObject()
                                            .put("conversation_id", "c-1")
                                            .put("body", "hello"))
                                    .withTraceparent(traceparent)))),
        Duration.ofSeconds(10));

    List<ConsumerRecord<String, String>> records =
        KafkaReader.read(kafka, topic, 1, Duration.ofSeconds(30));
    assertThat(records).hasSize(1);
    ConsumerRecord<String, String> record = records.get(0);
    assertThat(record.key()).isEqualTo("tenant-a:c-1");
    assertThat(new JsonObject(record.value()).getString("body")).isEqualTo("hello");
    long id = fx.count("SELECT id FROM outbox_messages WHERE dedupe_key = 'conv:c-1:m-1'");
    assertThat(header(record, "tenant-id")).isEqualTo("tenant-a");
    assertThat(header(record, "dedupe-key")).isEqualTo("conv:c-1:m-1");
    assertThat(header(record, "event-id")).isEqualTo(Long.toString(id));
    assertThat(header(record, "event-topic")).isEqualTo(topic);
    assertThat(Instant.parse(header(record, "event-created-at")))
        .isBetween(Instant.now().minusSeconds(60), Instant.now());
    assertThat(header(record, "retry-count")).isEqualTo("0");
    assertThat(header(record, "processing-attempt")).isEqualTo("1");
    assertThat(header(record, "traceparent")).isEqualTo(traceparent);
    await().atMost(Duration.ofSeconds(10)).until(() -> fx.countStatus("published") == 1);
    assertThat(
            fx.query("SELECT published_at, lease_owner FROM outbox_messages")
                .get(0)
                .getValue("lease_owner"))
        .isNull();
  }

  @Test
  void anEntryWithoutPartitionKeyIsKeyedByItsDedupeKey() throws Exception {
    String topic = TestServices.topic("tool.results");
    fx.deployRelay(OutboxFixture.config(Map.of()), kafka, "relay-a");
    fx.enqueue(List.of(OutboxEntry.of("t1", "tool:x-9", topic, null, new JsonObject())));

    List<ConsumerRecord<String, String>> records =
        KafkaReader.read(kafka, topic, 1, Duration.ofSeconds(30));

    assertThat(records).extracting(ConsumerRecord::key).containsExactly("t1:tool:x-9");
  }

  @Test
  void aRolledBackTransactionLeavesNoEvent() throws Exception {
    String topic = TestServices.topic("rollback");
    Future<Object> failed =
        Transaction.run(
            fx.pool,
            tx ->
                fx.outbox
                    .enqueue(tx, OutboxEntry.of("t1", "k1", topic, "a", new JsonObject()))
                    .compose(
                        v -> tx.query("INSERT INTO messages (id) VALUES ('no body')").execute())
                    .mapEmpty());
    assertThat(failed.toCompletionStage().toCompletableFuture())
        .failsWithin(Duration.ofSeconds(10));

    assertThat(fx.count("SELECT count(*) FROM outbox_messages")).isZero();
  }

  @Test
  void enqueueingTheSameTenantAndDedupeKeyTwiceYieldsOneEvent() throws Exception {
    String topic = TestServices.topic("dedupe");
    OutboxEntry entry = OutboxEntry.of("t1", "conv:1:1", topic, "1", new JsonObject().put("n", 1));
    assertThat(fx.enqueue(List.of(entry))).isEqualTo(1);
    assertThat(fx.enqueue(List.of(entry, entry))).isZero();
    // the same dedupe key under another tenant is another event
    assertThat(fx.enqueue(List.of(OutboxEntry.of("t2", "conv:1:1", topic, "1", new JsonObject()))))
        .isEqualTo(1);
    fx.deployRelay(OutboxFixture.config(Map.of()), kafka, "relay-a");

    List<ConsumerRecord<String, String>> records =
        KafkaReader.read(kafka, topic, 2, Duration.ofSeconds(30));
    assertThat(records).extracting(ConsumerRecord::key).containsExactlyInAnyOrder("t1:1", "t2:1");
  }

  @Test
  void enqueueAllWritesInListOrderAndKeepsTheFirstOfARepeatedDedupeKey() throws Exception {
    String topic = TestServices.topic("batch");
    JsonObject headers = new JsonObject().put("source", "api");
    int created =
        fx.enqueue(
            List.of(
                new OutboxEntry("t1", "k2", topic, "a", new JsonObject().put("n", 1), headers),
                OutboxEntry.of("t1", "k1", topic, null, new JsonObject().put("n", 2)),
                OutboxEntry.of("t1", "k2", topic, "a", new JsonObject().put("n", 3)),
                OutboxEntry.of("t2", "k1", topic, "b", new JsonObject().put("s", "é\"\n"))));

    assertThat(created).isEqualTo(3);
    assertThat(
            fx
                .query(
                    "SELECT tenant_id, dedupe_key, partition_key, payload::text, headers::text"
                        + " FROM outbox_messages ORDER BY id")
                .stream()
                .map(
                    r ->
                        r.getString(0)
                            + "|"
                            + r.getString(1)
                            + "|"
                            + r.getString(2)
                            + "|"
                            + r.getString(3)
                            + "|"
                            + r.getString(4))
                .toList())
        .containsExactly(
            "t1|k2|a|{\"n\": 1}|{\"source\": \"api\"}",
            "t1|k1|null|{\"n\": 2}|{}",
            "t2|k1|b|{\"s\": \"é\\\"\\n\"}|{}");
  }

  @Test
  void rowsWrittenByPlainSqlFromAnotherConnectionAreRelayedOnNotify() throws Exception {
    String topic = TestServices.topic("foreign");
    // A poll an hour apart: only LISTEN/NOTIFY can wake the relay in time.
    fx.deployRelay(
        OutboxFixture.config(Map.of("SA01_OUTBOX_POLL_INTERVAL_MS", "3600000")), kafka, "relay-a");
    Thread.sleep(1500); // the first, start-up claim has run and found nothing

    try (Connection c =
            DriverManager.getConnection(
                fx.databaseUrl.jdbcUrl(), fx.databaseUrl.user(), fx.databaseUrl.password());
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, partition_key, payload)"
                    + " VALUES (?, ?, ?, ?, ?::jsonb)")) {
      insert.setString(1, "other-service");
      insert.setString(2, "order:77");
      insert.setString(3, topic);
      insert.setString(4, "order-77");
      insert.setString(5, "{\"total\": 12.5}");
      insert.executeUpdate();
    }

    List<ConsumerRecord<String, String>> records =
        KafkaReader.read(kafka, topic, 1, Duration.ofSeconds(20));
    assertThat(records).hasSize(1);
    assertThat(records.get(0).key()).isEqualTo("other-service:order-77");
    assertThat(new JsonObject(records.get(0).value()).getDouble("total")).isEqualTo(12.5);
  }

  @Test
  void aDueEventIsPublishedEvenBehindManyRowsWaitingForARetry() throws Exception {
    String topic = TestServices.topic("behind-retries");
    Blocking.await(
        fx.pool
            .query(
                "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic,"
                    + " payload, next_attempt_at) SELECT 't1', 'waiting-' || n, '"
                    + topic
                    + "', '{}',"
                    + " now() + interval '1 hour' FROM generate_series(1, 50) n")
            .execute(),
        Duration.ofSeconds(10));
    fx.enqueue(List.of(OutboxEntry.of("t1", "due-1", topic, null, new JsonObject())));
    fx.deployRelay(OutboxFixture.config(Map.of("SA01_OUTBOX_BATCH_SIZE", "1")), kafka, "relay");

    List<ConsumerRecord<String, String>> records =
        KafkaReader.read(kafka, topic, 1, Duration.ofSeconds(20));

    assertThat(records).extracting(r -> header(r, "dedupe-key")).containsExactly("due-1");
    assertThat(fx.countStatus("pending")).isEqualTo(50);
  }
}
