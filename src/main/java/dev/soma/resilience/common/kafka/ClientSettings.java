package dev.soma.resilience.common.kafka;

import dev.soma.resilience.config.KafkaConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * How every Kafka client of ours connects: to {@code bootstrapServers} under its own {@code
 * clientId}, with the cluster's security settings, retrying a lost connection at most a second
 * apart. The map is the caller's to add its own settings to.
 */
final class ClientSettings {

  private ClientSettings() {}

  static Map<String, String> connection(
      KafkaConfig.Security security, String bootstrapServers, String clientId) {
    Map<String, String> settings = new HashMap<>(security.clientProperties());
    settings.put("bootstrap.servers", bootstrapServers);
    settings.put("client.id", clientId);
    settings.put("reconnect.backoff.max.ms", "1000");
    return settings;
  }
}
