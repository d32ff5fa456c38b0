package dev.soma.resilience.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class TopicPartitionsTest {

  @Test
  void aRecordsPartitionIsTheOneTheProducersDefaultPartitionerPicks() {
    for (int count : new int[] {1, 3, 7, 12}) {
      TopicPartitions partitions = new TopicPartitions(count, Optional.empty());
      for (int n = 0; n < 1_000; n++) {
        String key = "tenant-" + n % 17 + ":conv:load-" + n;
        assertThat(partitions.of(new ProducerRecord<>("t", key, "{}")).partition())
            .as("%s of %d", key, count)
            .isEqualTo(
                BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), count));
      }
    }
  }

  @Test
  void withoutACountThePartitionIsUnknown() {
    TopicPartitions unknown =
        new TopicPartitions(0, Optional.of(new IllegalStateException("no metadata")));

    assertThat(unknown.of(new ProducerRecord<>("t", "k", "{}")).partition()).isEqualTo(-1);
  }
}
