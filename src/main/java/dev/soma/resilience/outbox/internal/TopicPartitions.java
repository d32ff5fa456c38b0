package dev.soma.resilience.outbox.internal;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.TopicPartition;

/**
 * A topic's partition count as the producer knows it ({@code count}), or why it knows none ({@code
 * error}, and a count of 0), for {@link RecordBatchSender}'s first contact with each partition.
 */
record TopicPartitions(int count, Optional<RuntimeException> error) {

  /**
   * The partition the producer's default partitioner puts {@code record} in, by its own function
   * (every outbox record has a key; the producer is not given a partitioner of its own); -1 while
   * the count is unknown.
   */
  TopicPartition of(ProducerRecord<String, String> record) {
    if (count == 0) {
      return new TopicPartition(record.topic(), -1);
    }
    byte[] key = record.key().getBytes(StandardCharsets.UTF_8);
    return new TopicPartition(record.topic(), BuiltInPartitioner.partitionForKey(key, count));
  }
}
