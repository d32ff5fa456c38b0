package dev.soma.resilience.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads when the broker appended each benchmark record: topics are created with
 * {@code LogAppendTime}, so a record's timestamp is the broker's clock when it was written, just
 * before the acknowledgement left. Records are matched by their {@code dedupe-key} header
 * ({@code <prefix>-<n>}). Reads on its own thread, started once the writer is done so that it
 * takes no CPU from what it measures.
 */
final class AppendTimes {

  private final String bootstrap;
  private final String topic;
  private final String prefix;
  private final long[] appendMillis;
  private volatile boolean done;
  private volatile long received;
  private volatile long duplicates;
  private final Thread thread = new Thread(this::read, "append-times");

  private AppendTimes(String bootstrap, String topic, String prefix, int capacity) {
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.prefix = prefix + "-";
    this.appendMillis = new long[capacity];
    Arrays.fill(appendMillis, -1);
  }

  /** Starts reading {@code topic} from its beginning; {@code capacity} bounds the record numbers. */
  static AppendTimes start(String bootstrap, String topic, String prefix, int capacity) {
    AppendTimes times = new AppendTimes(bootstrap, topic, prefix, capacity);
    times.thread.start();
    return times;
  }

  /** Stops once {@code expected} records arrived or {@code timeout} passed; returns the times. */
  long[] finish(long expected, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (received < expected && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    done = true;
    thread.join();
    return appendMillis;
  }

  long duplicates() {
    return duplicates;
  }

  private void read() {
    Map<String, Object> props = Map.of(
        "bootstrap.servers", bootstrap,
        "group.id", "bench-" + UUID.randomUUID(),
        "enable.auto.commit", "false",
        "fetch.max.wait.ms", "100");
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (!done) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
          if (record.timestampType() != TimestampType.LOG_APPEND_TIME) {
            throw new IllegalStateException(topic + " does not use LogAppendTime");
          }
          Header key = record.headers().lastHeader("dedupe-key");
          String value = new String(key.value(), StandardCharsets.UTF_8);
          int n = Integer.parseInt(value.substring(prefix.length()));
          if (appendMillis[n] >= 0) {
            duplicates++;
          } else {
            appendMillis[n] = record.timestamp();
          }
          received++;
        }
      }
    }
  }
}
