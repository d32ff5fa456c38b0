package dev.soma.resilience.outbox.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The partitions one producer needs no first-contact wait for any more ({@link RecordBatchSender}):
 * one of their records was acknowledged, or a wait ran out (the broker unreachable: waiting again
 * would only stall every relay of the process batch after batch). Once every partition of a topic
 * is in, its records go out without a partition being computed at all (the common case, on the hot
 * path). Confined to the send thread.
 */
final class FirstContacts {

  private final Set<TopicPartition> partitions = new HashSet<>();
  private final Set<String> topics = new HashSet<>();
  private final Map<String, Integer> contactedOf = new HashMap<>();

  /** {@code record}'s partition if it still needs a first contact, else null. */
  TopicPartition pending(ProducerRecord<String, String> record, TopicPartitions ofTopic) {
    if (topics.contains(record.topic())) {
      return null;
    }
    TopicPartition partition = ofTopic.of(record);
    return partitions.contains(partition) ? null : partition;
  }

  /** {@code partition}, of a topic of {@code count} partitions, needs no more waits. */
  void contacted(TopicPartition partition, int count) {
    if (partitions.add(partition)
        && contactedOf.merge(partition.topic(), 1, Integer::sum) >= count) {
      topics.add(partition.topic());
    }
  }
}
