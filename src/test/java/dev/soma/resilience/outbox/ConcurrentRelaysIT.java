package dev.soma.resilience.outbox;

import static dev.soma.resilience.testing.KafkaReader.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.outbox.internal.OutboxMetrics;
import dev.soma.resilience.testing.KafkaReader;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two relays on one outbox, while writers keep committing: each event once, per-key order kept. */
@ExtendWith(TestServices.class)
class ConcurrentRelaysIT {

  private static final int TENANTS = 4;
  private static final int KEYS_PER_TENANT = 25;
  private static final int EVENTS_PER_KEY = 40;

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
  void twoRelaysPublishEveryEventOnceAndKeepEachAggregatesOrder() throws Exception {
    // small batches, so that the relays' claims interleave many times
    twoRelaysRelayRoundsOfCommits(
        Map.of("SA01_OUTBOX_BATCH_SIZE", "40", "SA01_OUTBOX_MAX_IN_FLIGHT_BATCHES", "3"));
  }

  /**
   * The same with no poll to fall back on: a row held back behind an earlier row of its aggregate
   * must be claimed when that row is settled, by the relay's own wake-up, or it would wait an hour.
   */
  @Test
  void rowsHeldBackBehindTheirAggregateAreClaimedOnceItIsSettledWithoutWaitingForThePoll()
      throws Exception {
    twoRelaysRelayRoundsOfCommits(
        Map.of(
            "SA01_OUTBOX_BATCH_SIZE",
            "40",
            "SA01_OUTBOX_MAX_IN_FLIGHT_BATCHES",
            "3",
            "SA01_OUTBOX_POLL_INTERVAL_MS",
            "3600000"));
  }

  private void twoRelaysRelayRoundsOfCommits(Map<String, String> settings) throws Exception {
    String topic = TestServices.topic("orders");
    ServiceConfig config = OutboxFixture.config(settings);
    SimpleMeterRegistry first = new SimpleMeterRegistry();
    SimpleMeterRegistry second = new SimpleMeterRegistry();
    fx.deployRelay(config, kafka, "relay-1", new OutboxMetrics(first));
    fx.deployRelay(config, kafka, "relay-2", new OutboxMetrics(second));

    // Writers commit round after round while both relays drain: sequence n of every key per round.
    for (int seq = 0; seq < EVENTS_PER_KEY; seq++) {
      List<OutboxEntry> round = new ArrayList<>();
      for (int t = 0; t < TENANTS; t++) {
        for (int k = 0; k < KEYS_PER_TENANT; k++) {
          round.add(
              OutboxEntry.of(
                  "tenant-" + t,
                  "agg-" + k + ":" + seq,
                  topic,
                  "agg-" + k,
                  new JsonObject().put("seq", seq)));
        }
      }
      fx.enqueue(round);
    }

    int total = TENANTS * KEYS_PER_TENANT * EVENTS_PER_KEY;
    List<ConsumerRecord<String, String>> records =
        KafkaReader.read(kafka, topic, total, Duration.ofSeconds(90));

    Set<String> eventIds = new HashSet<>();
    records.forEach(r -> eventIds.add(header(r, "event-id")));
    assertThat(records).hasSize(total);
    assertThat(eventIds).hasSize(total);
    Map<String, Integer> lastSeqPerKey = new HashMap<>();
    for (ConsumerRecord<String, String> record : records) {
      int seq = new JsonObject(record.value()).getInteger("seq");
      Integer previous = lastSeqPerKey.put(record.key(), seq);
      assertThat(seq)
          .as("order of %s", record.key())
          .isEqualTo(previous == null ? 0 : previous + 1);
    }
    assertThat(lastSeqPerKey).hasSize(TENANTS * KEYS_PER_TENANT);
    await().atMost(Duration.ofSeconds(20)).until(() -> fx.countStatus("published") == total);
    assertThat(batches(first)).as("batches relayed by relay-1").isPositive();
    assertThat(batches(second)).as("batches relayed by relay-2").isPositive();
  }

  private static long batches(SimpleMeterRegistry registry) {
    return registry.get("outbox.relay.batch.size").summary().count();
  }
}
