package dev.soma.resilience.outbox;

import static dev.soma.resilience.testing.KafkaReader.header;
import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.testing.KafkaReader;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A relay's first seconds on a topic nobody wrote to yet, with rows arriving all along: four
 * aggregates get a row each every 25 ms from before the relay's first contact, woken by {@code
 * NOTIFY} and the poll alike. Each aggregate's first deliveries come in id order, topic after
 * topic. This caught two reorders that only showed there (about one topic in eight): a relay woken
 * on the {@code LISTEN} connection's context handing batches to its send thread from two contexts
 * ({@code WakeSignalsIT} pins that one down), and a fresh partition losing its producer's first
 * request while a later one was accepted (the first contact is per partition since). It cannot
 * prove their absence (a reorder is a race); a failure here names the topic and the order seen.
 */
@ExtendWith(TestServices.class)
class FirstContactOrderIT {

  private static final int TOPICS = 6;
  private static final int AGGREGATES = 4;
  private static final int STEPS = 60;

  @Test
  void eachAggregatesFirstDeliveriesOnAFreshTopicComeInOrder() throws Exception {
    Map<String, List<Long>> outOfOrder = new LinkedHashMap<>();
    for (int round = 0; round < TOPICS; round++) {
      try (OutboxFixture fx = new OutboxFixture()) {
        String topic = TestServices.topic("first-contact-order");
        fx.deployRelay(OutboxFixture.config(Map.of()), TestServices.kafkaBootstrap(), "relay");
        int rows = 0;
        for (int step = 0; step < STEPS; step++) {
          for (int aggregate = 0; aggregate < AGGREGATES; aggregate++) {
            rows++;
            fx.query(
                "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, partition_key, payload)"
                    + " VALUES ('t', $1, $2, $3, '{}'::jsonb)",
                "e-" + rows,
                topic,
                "agg-" + aggregate);
          }
          Thread.sleep(25);
        }
        firstDeliveries(topic, rows)
            .forEach(
                (key, ids) -> {
                  if (!ids.stream().sorted().toList().equals(ids)) {
                    outOfOrder.put(topic + " " + key, ids.subList(0, Math.min(12, ids.size())));
                  }
                });
      }
    }
    assertThat(outOfOrder).as("aggregates whose first deliveries were out of order").isEmpty();
  }

  /** Each record key's event ids in the order first delivered, once all {@code rows} arrived. */
  private static Map<String, List<Long>> firstDeliveries(String topic, int rows) {
    List<ConsumerRecord<String, String>> records =
        KafkaReader.readEvents(TestServices.kafkaBootstrap(), topic, rows, Duration.ofSeconds(60));
    assertThat(records.stream().map(r -> header(r, "event-id")).distinct().count())
        .as("events delivered on %s", topic)
        .isEqualTo(rows);
    Map<String, List<Long>> first = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    for (ConsumerRecord<String, String> record : records) {
      String id = header(record, "event-id");
      if (seen.add(id)) {
        first.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(Long.parseLong(id));
      }
    }
    return first;
  }
}
