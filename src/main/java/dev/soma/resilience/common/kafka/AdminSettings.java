package dev.soma.resilience.common.kafka;

import dev.soma.resilience.config.KafkaConfig;
import java.util.Map;

/** Settings of the admin client used for cheap cluster probes: short timeouts, one retry. */
public final class AdminSettings {

  private AdminSettings() {}

  public static Map<String, String> of(
      KafkaConfig.Security security, String bootstrapServers, String clientId) {
    Map<String, String> settings = ClientSettings.connection(security, bootstrapServers, clientId);
    settings.put("request.timeout.ms", "2000");
    settings.put("default.api.timeout.ms", "3000");
    settings.put("retries", "1");
    return settings;
  }
}
