package dev.soma.resilience.outbox;

import static dev.soma.resilience.testing.KafkaReader.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.kafka.Producers;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.flags.FlagBook;
import dev.soma.resilience.outbox.internal.Claim;
import dev.soma.resilience.outbox.internal.ClaimedEvent;
import dev.soma.resilience.outbox.internal.DeadLetterPublisher;
import dev.soma.resilience.outbox.internal.KafkaRecords;
import dev.soma.resilience.outbox.internal.OutboxRelay;
import dev.soma.resilience.outbox.internal.OutboxRepository;
import dev.soma.resilience.outbox.internal.RelayParts;
import dev.soma.resilience.testing.KafkaReader;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A relay that dies between sending and marking loses nothing; only its in-flight rows repeat. */
@ExtendWith(TestServices.class)
class RelayCrashIT {

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
  void rowsSentButNeverMarkedAreTakenOverWhenTheDeadRelaysLeaseEnds() throws Exception {
    String topic = TestServices.topic("crash");
    fx.enqueue(entries(topic, 300));
    ServiceConfig config = OutboxFixture.config(Map.of("SA01_OUTBOX_BATCH_SIZE", "100"));

    // The dead relay: claims a batch with a short lease, gets every record acknowledged, dies.
    OutboxRepository repository = new OutboxRepository(fx.pool);
    List<ClaimedEvent> claimed =
        Blocking.await(
            repository
                .claim(Claim.ofAll("dead-relay", 100, Duration.ofSeconds(2)))
                .map(OutboxRepository.Claimed::events),
            Duration.ofSeconds(10));
    KafkaProducer<String, String> producer = fx.producer(config, kafka);
    List<Future<?>> acks = new ArrayList<>();
    for (ClaimedEvent event : claimed) {
      acks.add(producer.asStream().send(KafkaRecords.of(event)));
    }
    Blocking.await(Future.all(acks), Duration.ofSeconds(30));
    assertThat(claimed).hasSize(100);

    fx.deployRelay(config, kafka, "survivor");

    await().atMost(Duration.ofSeconds(30)).until(() -> fx.countStatus("published") == 300);
    List<ConsumerRecord<String, String>> records =
        KafkaReader.read(kafka, topic, 400, Duration.ofSeconds(30));
    Map<String, Integer> copies = copiesPerEvent(records);
    assertThat(copies).hasSize(300);
    List<String> repeated =
        copies.entrySet().stream()
            .filter(e -> e.getValue() > 1)
            .map(Map.Entry::getKey)
            .sorted()
            .toList();
    assertThat(repeated)
        .containsExactlyInAnyOrderElementsOf(
            claimed.stream().map(e -> Long.toString(e.id())).toList());
    assertThat(copies.values()).allMatch(n -> n <= 2);
  }

  @Test
  void aRelayWhoseProcessStopsMidDrainLeavesNothingBehind() throws Exception {
    String topic = TestServices.topic("kill");
    int total = 3000;
    fx.enqueue(entries(topic, total));
    ServiceConfig config =
        OutboxFixture.config(
            Map.of("SA01_OUTBOX_BATCH_SIZE", "100", "SA01_OUTBOX_LEASE_SECONDS", "16"));

    // A relay in its own Vert.x instance, with its own pool and producer, stopped mid-drain.
    Vertx doomed = Vertx.vertx();
    Pool doomedPool = fx.database.pool(doomed, 4);
    KafkaProducer<String, String> doomedProducer =
        Producers.create(doomed, config.kafka(), kafka, "doomed");
    Blocking.await(
        doomed.deployVerticle(
            new OutboxRelay(
                new RelayParts(
                    new OutboxRepository(doomedPool),
                    doomedProducer,
                    new DeadLetterPublisher(doomedPool, doomedProducer),
                    fx.probe(kafka),
                    fx.metrics,
                    config.outbox(),
                    fx.newKeeper(doomed),
                    new FlagBook(),
                    () -> 1),
                "doomed",
                Optional.empty(),
                Clock.systemUTC())),
        Duration.ofSeconds(30));
    await().atMost(Duration.ofSeconds(60)).until(() -> fx.countStatus("published") >= 500);
    Blocking.await(doomed.close(), Duration.ofSeconds(30));
    long leftLeased =
        fx.count(
            "SELECT count(*) FROM outbox_messages WHERE status = 'pending' AND lease_owner ="
                + " 'doomed'");

    fx.deployRelay(config, kafka, "survivor");

    await().atMost(Duration.ofSeconds(90)).until(() -> fx.countStatus("published") == total);
    List<ConsumerRecord<String, String>> records =
        KafkaReader.read(kafka, topic, total, Duration.ofSeconds(30));
    Map<String, Integer> copies = copiesPerEvent(records);
    assertThat(copies).hasSize(total);
    long duplicates = records.size() - total;
    // at most what the dead relay had in flight: its leased rows, never more than its pipeline
    assertThat(duplicates)
        .isLessThanOrEqualTo(
            Math.min(
                leftLeased,
                (long) config.outbox().batchSize() * config.outbox().maxInFlightBatches()));
  }

  private static List<OutboxEntry> entries(String topic, int n) {
    return IntStream.range(0, n)
        .mapToObj(
            i ->
                OutboxEntry.of(
                    "tenant-" + (i % 3),
                    "evt-" + i,
                    topic,
                    "agg-" + (i % 17),
                    new JsonObject().put("i", i)))
        .toList();
  }

  private static Map<String, Integer> copiesPerEvent(List<ConsumerRecord<String, String>> records) {
    Map<String, Integer> copies = new HashMap<>();
    records.forEach(r -> copies.merge(header(r, "event-id"), 1, Integer::sum));
    return copies;
  }
}
