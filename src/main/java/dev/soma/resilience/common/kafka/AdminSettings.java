package dev.soma.resilience.common.kafka;

import java.util.Map;

/** Settings of the admin client used for cheap cluster probes: short timeouts, one retry. */
public final class AdminSettings {

  private AdminSettings() {}

  public static Map<String, String> of(String bootstrapServers, String clientId) {
    return Map.of(
        "bootstrap.servers", bootstrapServers,
        "client.id", clientId,
        "request.timeout.ms", "2000",
        "default.api.timeout.ms", "3000",
        "retries", "1",
        "reconnect.backoff.max.ms", "1000");
  }
}
