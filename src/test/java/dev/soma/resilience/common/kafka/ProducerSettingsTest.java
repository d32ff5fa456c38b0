package dev.soma.resilience.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.config.ServiceConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

/**
 * Our producer settings as the Kafka client resolves them (the same {@link ProducerConfig} a {@code
 * KafkaProducer} builds from them): {@code acks=all} and idempotence in force, with what
 * idempotence needs (at most 5 requests in flight, retries), so no silent downgrade.
 */
class ProducerSettingsTest {

  @Test
  void theClientAppliesAcksAllAndIdempotenceAsSet() {
    Map<String, Object> settings =
        new HashMap<>(
            ProducerSettings.of(
                ServiceConfig.load(Map.of()).kafka(), "127.0.0.1:9092", "settings-test"));

    ProducerConfig applied = new ProducerConfig(settings);

    assertThat(applied.getString(ProducerConfig.ACKS_CONFIG)).isIn("all", "-1");
    assertThat(applied.getBoolean(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)).isTrue();
    assertThat(applied.getInt(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION))
        .isBetween(1, 5);
    assertThat(applied.getInt(ProducerConfig.RETRIES_CONFIG)).isPositive();
  }
}
