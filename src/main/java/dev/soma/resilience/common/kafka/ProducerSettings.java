package dev.soma.resilience.common.kafka;

import dev.soma.resilience.config.KafkaConfig;
import java.util.Map;

/**
 * The producer settings every publisher of ours uses: idempotent, {@code acks=all}, unbounded
 * retries inside the delivery timeout, at most 5 requests in flight (the most that keeps order with
 * idempotence), compression and a 5 ms linger (from the seeds).
 */
public final class ProducerSettings {

  private ProducerSettings() {}

  public static Map<String, String> of(
      KafkaConfig kafka, String bootstrapServers, String clientId) {
    Map<String, String> settings =
        ClientSettings.connection(kafka.security(), bootstrapServers, clientId);
    settings.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    settings.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    settings.put("enable.idempotence", "true");
    settings.put("acks", "all");
    settings.put("retries", Integer.toString(Integer.MAX_VALUE));
    settings.put("max.in.flight.requests.per.connection", "5");
    settings.put("compression.type", kafka.compressionType());
    settings.put("linger.ms", Integer.toString(kafka.lingerMs()));
    settings.put("batch.size", Integer.toString(kafka.batchSizeBytes()));
    settings.put("delivery.timeout.ms", Integer.toString(kafka.deliveryTimeoutMs()));
    settings.put("request.timeout.ms", Integer.toString(kafka.requestTimeoutMs()));
    settings.put("max.block.ms", Integer.toString(kafka.maxBlockMs()));
    settings.put("max.request.size", Integer.toString(kafka.maxRequestSizeBytes()));
    // Kafka 4 clients drop cached metadata when the cluster is unreachable ("rebootstrap"), and
    // send() then blocks for max.block.ms per record; keeping it lets records queue and time out.
    settings.put("metadata.recovery.strategy", "none");
    return settings;
  }
}
