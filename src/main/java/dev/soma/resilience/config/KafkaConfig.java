package dev.soma.resilience.config;

import java.util.Optional;

/**
 * Kafka settings. The producer always runs idempotent with {@code acks=all} and unbounded retries
 * inside {@code deliveryTimeoutMs}; these are the knobs that may differ per installation.
 */
public record KafkaConfig(
    Optional<String> bootstrapServers,
    int embeddedPort,
    String compressionType,
    int lingerMs,
    int batchSizeBytes,
    int deliveryTimeoutMs,
    int requestTimeoutMs,
    int maxBlockMs,
    int maxRequestSizeBytes) {

  static KafkaConfig from(Settings s) {
    String servers = s.string("kafka.bootstrapServers");
    if (!servers.isEmpty() && !Settings.isHostPorts(servers, true)) {
      throw ConfigException.invalid(
          ConfigSource.envName("kafka.bootstrapServers"),
          servers,
          "host:port[,host:port...] with ports from 1 to 65535");
    }
    int request = s.intIn("kafka.requestTimeoutMs", 1000, 600_000);
    int linger = s.intIn("kafka.lingerMs", 0, 60_000);
    int delivery = s.intIn("kafka.deliveryTimeoutMs", 1000, 3_600_000);
    if (delivery < request + linger) {
      throw ConfigException.invalid(
          ConfigSource.envName("kafka.deliveryTimeoutMs"),
          delivery,
          "at least kafka.requestTimeoutMs + kafka.lingerMs (" + (request + linger) + ")");
    }
    return new KafkaConfig(
        servers.isEmpty() ? Optional.empty() : Optional.of(servers),
        s.intIn("kafka.embeddedPort", 1, 65535),
        s.oneOf("kafka.compressionType", "none", "gzip", "snappy", "lz4", "zstd"),
        linger,
        s.intIn("kafka.batchSizeBytes", 0, 16 * 1024 * 1024),
        delivery,
        request,
        s.intIn("kafka.maxBlockMs", 0, 600_000),
        s.intIn("kafka.maxRequestSizeBytes", 1024, 64 * 1024 * 1024));
  }
}
