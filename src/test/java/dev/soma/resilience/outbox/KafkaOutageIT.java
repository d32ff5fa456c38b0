package dev.soma.resilience.outbox;

import static dev.soma.resilience.testing.KafkaReader.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.embedded.EmbeddedKafkaBroker;
import dev.soma.resilience.testing.KafkaReader;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Kafka stopped: rows wait, nothing is lost or dead-lettered; restarted: the backlog drains. */
@ExtendWith(TestServices.class)
class KafkaOutageIT {

  private EmbeddedKafkaBroker broker;
  private OutboxFixture fx;

  @BeforeEach
  void setUp() throws Exception {
    // this test stops its broker, so it gets one of its own
    broker = EmbeddedKafkaBroker.start(TestServices.tempDir("outage"), 0);
    fx = new OutboxFixture();
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
    broker.stop();
  }

  @Test
  void aBrokerOutageDelaysEventsWithoutLosingOrDeadLetteringAny() throws Exception {
    String topic = TestServices.topic("outage");
    ServiceConfig config =
        OutboxFixture.config(
            Map.of("SA01_KAFKA_DELIVERY_TIMEOUT_MS", "4000", "SA01_OUTBOX_BATCH_SIZE", "50"));
    fx.deployRelay(config, broker.bootstrapServers(), "relay");
    fx.enqueue(entries(topic, 0, 100));
    await().atMost(Duration.ofSeconds(30)).until(() -> fx.countStatus("published") == 100);

    broker.stop();
    fx.enqueue(entries(topic, 100, 600));
    // Several delivery timeouts pass: every attempt fails against the dead broker.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                fx.count("SELECT count(*) FROM outbox_messages WHERE last_error IS NOT NULL") > 0);
    await().pollDelay(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(11)).until(() -> true);
    assertThat(fx.countStatus("pending")).isEqualTo(500);
    assertThat(fx.countStatus("dead")).isZero();
    assertThat(fx.count("SELECT count(*) FROM dead_letter_messages")).isZero();
    assertThat(
            fx.count(
                "SELECT coalesce(max(attempts), 0) FROM outbox_messages"
                    + " WHERE status = 'pending'"))
        .as("an outage uses up no attempts")
        .isZero();

    broker.restart();

    await().atMost(Duration.ofSeconds(60)).until(() -> fx.countStatus("published") == 600);
    List<ConsumerRecord<String, String>> records =
        KafkaReader.read(broker.bootstrapServers(), topic, 600, Duration.ofSeconds(30));
    Set<String> ids = new HashSet<>();
    records.forEach(r -> ids.add(header(r, "event-id")));
    assertThat(ids).hasSize(600);
    assertThat(fx.countStatus("dead")).isZero();
  }

  private static List<OutboxEntry> entries(String topic, int from, int to) {
    return IntStream.range(from, to)
        .mapToObj(
            i ->
                OutboxEntry.of(
                    "tenant", "evt-" + i, topic, "agg-" + (i % 10), new JsonObject().put("i", i)))
        .toList();
  }
}
