package dev.soma.resilience.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.db.Transaction;
import dev.soma.resilience.outbox.OutboxEntry;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Records published by the real outbox relay to a real broker, consumed by real consumers, with
 * their effect applied through {@link IdempotentConsumer} in the same transaction.
 */
@ExtendWith(TestServices.class)
class IdempotentConsumerIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final String kafka = TestServices.kafkaBootstrap();
  private OutboxFixture fx;
  private String topic;

  @BeforeEach
  void setUp() throws Exception {
    fx = new OutboxFixture();
    topic = TestServices.topic("billing.events");
    fx.query(
        "CREATE TABLE effects (consumer_group text NOT NULL, event_id text NOT NULL,"
            + " tenant_id text, amount int NOT NULL)");
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
  }

  @Test
  void eachEventTakesEffectOnceEvenWhenItsRecordsAreConsumedTwice() throws Exception {
    List<Long> eventIds = publishThroughTheRelay(3);
    IdempotentConsumer billing = new IdempotentConsumer(fx.pool, "billing", Duration.ofHours(1));

    List<Boolean> first = processAll(billing, "billing", consume(3));
    // a second pass over the whole topic, as after a rebalance or an offset reset
    List<Boolean> again = processAll(billing, "billing", consume(3));

    assertThat(first).containsExactly(true, true, true);
    assertThat(again).containsExactly(false, false, false);
    assertThat(effectCountsByEvent())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                eventIds.get(0).toString(), 1L,
                eventIds.get(1).toString(), 1L,
                eventIds.get(2).toString(), 1L));
  }

  @Test
  void aFailedEffectRecordsNothingAndALaterRedeliveryAppliesItOnce() throws Exception {
    long eventId = publishThroughTheRelay(1).get(0);
    IdempotentConsumer billing = new IdempotentConsumer(fx.pool, "billing", Duration.ofHours(1));
    KafkaConsumerRecord<String, String> record = consume(1).get(0);

    Future<Boolean> failed =
        billing.process(
            record,
            tx ->
                effect("billing", record)
                    .apply(tx)
                    .compose(
                        inserted -> Future.failedFuture(new IllegalStateException("ledger down"))));

    assertThat(failed.toCompletionStage().toCompletableFuture())
        .failsWithin(TIMEOUT)
        .withThrowableThat()
        .withMessageContaining("ledger down");
    assertThat(fx.count("SELECT count(*) FROM effects")).isZero();
    assertThat(fx.count("SELECT count(*) FROM idempotency_records")).isZero();

    KafkaConsumerRecord<String, String> redelivered = consume(1).get(0);
    assertThat(processAll(billing, "billing", List.of(redelivered, redelivered)))
        .containsExactly(true, false);
    assertThat(effectCountsByEvent()).containsExactlyEntriesOf(Map.of(Long.toString(eventId), 1L));
  }

  @Test
  void anotherConsumerGroupAppliesTheSameEventInItsOwnScope() throws Exception {
    long eventId = publishThroughTheRelay(1).get(0);
    IdempotentConsumer billing = new IdempotentConsumer(fx.pool, "billing", Duration.ofHours(1));
    IdempotentConsumer audit = new IdempotentConsumer(fx.pool, "audit", Duration.ofHours(1));
    KafkaConsumerRecord<String, String> record = consume(1).get(0);

    assertThat(processAll(billing, "billing", List.of(record))).containsExactly(true);
    assertThat(processAll(audit, "audit", List.of(record, record))).containsExactly(true, false);

    assertThat(fx.query("SELECT consumer_group FROM effects ORDER BY consumer_group"))
        .extracting(row -> row.getString(0))
        .containsExactly("audit", "billing");
    assertThat(
            fx.query("SELECT scope, idem_key, tenant_id FROM idempotency_records ORDER BY scope"))
        .extracting(row -> row.getString(0) + " " + row.getString(1) + " " + row.getString(2))
        .containsExactly(
            "consumer:audit " + eventId + " tenant-a", "consumer:billing " + eventId + " tenant-a");
  }

  @Test
  void twoConcurrentDeliveriesOfOneEventApplyItOnce() throws Exception {
    publishThroughTheRelay(1);
    IdempotentConsumer billing = new IdempotentConsumer(fx.pool, "billing", Duration.ofHours(1));
    KafkaConsumerRecord<String, String> record = consume(1).get(0);

    Future<Boolean> one = billing.process(record, effect("billing", record));
    Future<Boolean> two = billing.process(record, effect("billing", record));

    assertThat(List.of(Blocking.await(one, TIMEOUT), Blocking.await(two, TIMEOUT)))
        .containsExactlyInAnyOrder(true, false);
    assertThat(fx.count("SELECT count(*) FROM effects")).isEqualTo(1);
  }

  @Test
  void aRecordWithoutAnEventIdHeaderIsRefusedAndRecordsNothing() throws Exception {
    var producer = fx.producer(OutboxFixture.config(Map.of()), kafka);
    Blocking.await(
        producer.send(KafkaProducerRecord.create(topic, "k", "{\"amount\": 5}")), TIMEOUT);
    IdempotentConsumer billing = new IdempotentConsumer(fx.pool, "billing", Duration.ofHours(1));
    KafkaConsumerRecord<String, String> record = consume(1).get(0);

    Future<Boolean> refused = billing.process(record, effect("billing", record));

    assertThat(refused.toCompletionStage().toCompletableFuture())
        .failsWithin(TIMEOUT)
        .withThrowableThat()
        .havingRootCause()
        .isInstanceOf(IllegalArgumentException.class)
        .withMessage(
            "record at "
                + topic
                + "/"
                + record.partition()
                + "@"
                + record.offset()
                + " has no event-id header");
    assertThat(fx.count("SELECT count(*) FROM effects")).isZero();
    assertThat(fx.count("SELECT count(*) FROM idempotency_records")).isZero();
  }

  @Test
  void cleanupDeletesExpiredRecordsInChunksAndKeepsLiveOnes() throws Exception {
    int expired = IdempotencyCleanup.CHUNK + 3;
    fx.query(
        "INSERT INTO idempotency_records (scope, idem_key, expires_at)"
            + " SELECT 'consumer:billing', 'old-' || n, now() - interval '1 second'"
            + " FROM generate_series(1, $1) AS n",
        expired);
    fx.query(
        "INSERT INTO idempotency_records (scope, idem_key, expires_at) VALUES"
            + " ('consumer:billing', 'live-1', now() + interval '1 hour'),"
            + " ('consumer:audit', 'live-2', now() + interval '1 minute')");

    long deleted =
        Blocking.await(
            new IdempotencyCleanup(fx.pool, Duration.ofMinutes(5), Clock.systemUTC())
                .deleteExpired(),
            TIMEOUT);

    assertThat(deleted).isEqualTo(expired);
    assertThat(fx.query("SELECT idem_key FROM idempotency_records ORDER BY idem_key"))
        .extracting(row -> row.getString(0))
        .containsExactly("live-1", "live-2");
  }

  @Test
  void aProcessedEventIsRememberedForTheRetentionAndForgottenByCleanupAfterwards()
      throws Exception {
    publishThroughTheRelay(1);
    IdempotentConsumer billing = new IdempotentConsumer(fx.pool, "billing", Duration.ofHours(6));
    KafkaConsumerRecord<String, String> record = consume(1).get(0);
    assertThat(processAll(billing, "billing", List.of(record))).containsExactly(true);

    assertThat(
            fx.count(
                "SELECT count(*) FROM idempotency_records"
                    + " WHERE expires_at BETWEEN now() + interval '5 hours 59 minutes'"
                    + " AND now() + interval '6 hours 1 minute'"))
        .isEqualTo(1);
    IdempotencyCleanup cleanup =
        new IdempotencyCleanup(fx.pool, Duration.ofMinutes(5), Clock.systemUTC());
    assertThat(Blocking.await(cleanup.deleteExpired(), TIMEOUT)).isZero();

    fx.query("UPDATE idempotency_records SET expires_at = now() - interval '1 second'");
    assertThat(Blocking.await(cleanup.deleteExpired(), TIMEOUT)).isEqualTo(1);
    // once forgotten, a very late redelivery is applied again: retention must outlive redeliveries
    assertThat(processAll(billing, "billing", List.of(record))).containsExactly(true);
  }

  /** Enqueues {@code n} events for tenant-a, relays them, and returns their event ids. */
  private List<Long> publishThroughTheRelay(int n) throws Exception {
    List<OutboxEntry> entries = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      entries.add(
          OutboxEntry.of(
              "tenant-a",
              "invoice:" + i,
              topic,
              "invoice-" + i,
              new JsonObject().put("amount", i * 10)));
    }
    fx.enqueue(entries);
    fx.deployRelay(OutboxFixture.config(Map.of()), kafka, "relay-" + UUID.randomUUID());
    await().atMost(TIMEOUT).until(() -> fx.countStatus("published") == n);
    return fx.query("SELECT id FROM outbox_messages ORDER BY id").stream()
        .map(row -> row.getLong(0))
        .toList();
  }

  /** Reads the topic from the beginning with a consumer group of its own. */
  private List<KafkaConsumerRecord<String, String>> consume(int atLeast) throws Exception {
    KafkaConsumer<String, String> consumer =
        KafkaConsumer.create(
            fx.vertx,
            Map.of(
                "bootstrap.servers", kafka,
                "group.id", "it-" + UUID.randomUUID(),
                "auto.offset.reset", "earliest",
                "enable.auto.commit", "false",
                "key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer",
                "value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer"));
    try {
      Blocking.await(consumer.subscribe(topic), TIMEOUT);
      List<KafkaConsumerRecord<String, String>> records = new ArrayList<>();
      await()
          .atMost(TIMEOUT)
          .until(
              () -> {
                var polled = Blocking.await(consumer.poll(Duration.ofMillis(200)), TIMEOUT);
                for (int i = 0; i < polled.size(); i++) {
                  records.add(polled.recordAt(i));
                }
                return records.size() >= atLeast;
              });
      return records;
    } finally {
      Blocking.await(consumer.close(), TIMEOUT);
    }
  }

  private static List<Boolean> processAll(
      IdempotentConsumer consumer, String group, List<KafkaConsumerRecord<String, String>> records)
      throws Exception {
    List<Boolean> applied = new ArrayList<>();
    for (KafkaConsumerRecord<String, String> record : records) {
      applied.add(Blocking.await(consumer.process(record, effect(group, record)), TIMEOUT));
    }
    return applied;
  }

  /** The effect under test: one row in {@code effects} each time it is applied. */
  private static Function<Transaction, Future<?>> effect(
      String group, KafkaConsumerRecord<String, String> record) {
    return tx ->
        tx.preparedQuery(
                "INSERT INTO effects (consumer_group, event_id, tenant_id, amount) VALUES ($1, $2,"
                    + " $3, $4)")
            .execute(
                Tuple.of(
                    group,
                    header(record, "event-id"),
                    header(record, "tenant-id"),
                    new JsonObject(record.value()).getInteger("amount")));
  }

  private static String header(KafkaConsumerRecord<String, String> record, String name) {
    return record.headers().stream()
        .filter(h -> h.key().equals(name))
        .map(h -> h.value().toString())
        .reduce((first, last) -> last)
        .orElse(null);
  }

  private Map<String, Long> effectCountsByEvent() throws Exception {
    Map<String, Long> counts = new java.util.HashMap<>();
    for (Row row : fx.query("SELECT event_id, count(*) FROM effects GROUP BY event_id")) {
      counts.put(row.getString(0), row.getLong(1));
    }
    return counts;
  }
}
