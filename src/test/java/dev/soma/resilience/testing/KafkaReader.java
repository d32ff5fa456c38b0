package dev.soma.resilience.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a topic from the beginning on the test thread (a plain, blocking Kafka consumer). */
public final class KafkaReader {

  private KafkaReader() {}

  /** Every record of {@code topic} once at least {@code atLeast} arrived, or what came in time. */
  public static List<ConsumerRecord<String, String>> read(
      String bootstrap, String topic, int atLeast, Duration timeout) {
    return read(bootstrap, topic, records -> records.size() >= atLeast, timeout);
  }

  /**
   * Every record of {@code topic} once at least {@code events} distinct events (by their {@code
   * event-id} header) arrived, duplicates included, or what came in time.
   */
  public static List<ConsumerRecord<String, String>> readEvents(
      String bootstrap, String topic, int events, Duration timeout) {
    Set<String> seen = new HashSet<>();
    int[] counted = {0};
    return read(
        bootstrap,
        topic,
        records -> {
          for (; counted[0] < records.size(); counted[0]++) {
            seen.add(header(records.get(counted[0]), "event-id"));
          }
          return seen.size() >= events;
        },
        timeout);
  }

  /**
   * The records of {@code topic} with record key {@code key}, once one arrived (or none in time):
   * for a topic other tests write to as well.
   */
  public static List<ConsumerRecord<String, String>> readKey(
      String bootstrap, String topic, String key, Duration timeout) {
    return read(
            bootstrap,
            topic,
            records -> records.stream().anyMatch(r -> key.equals(r.key())),
            timeout)
        .stream()
        .filter(r -> key.equals(r.key()))
        .toList();
  }

  /**
   * Every record of {@code topic} once the records read so far satisfy {@code enough} (asked after
   * each poll), or what came in time; then drains what else is already there.
   */
  public static List<ConsumerRecord<String, String>> read(
      String bootstrap,
      String topic,
      Predicate<List<ConsumerRecord<String, String>>> enough,
      Duration timeout) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("group.id", "reader-" + UUID.randomUUID());
    props.put("auto.offset.reset", "earliest");
    props.put("enable.auto.commit", "false");
    props.put("isolation.level", "read_committed");
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      Instant deadline = Instant.now().plus(timeout);
      while (Instant.now().isBefore(deadline)) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        if (enough.test(records)) {
          // drain whatever else is already there (duplicates must be seen, too)
          consumer.poll(Duration.ofMillis(500)).forEach(records::add);
          break;
        }
      }
    }
    return records;
  }

  public static String header(ConsumerRecord<String, String> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
