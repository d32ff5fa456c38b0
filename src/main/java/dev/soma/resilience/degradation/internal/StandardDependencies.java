package dev.soma.resilience.degradation.internal;

import dev.soma.resilience.config.DegradationConfig.ExtraDependency;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.config.StorageConfig;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The dependencies this service knows how to probe, from its configuration: {@code postgresql}
 * ({@code SELECT 1}), {@code kafka} (cluster metadata), {@code redis} ({@code PING}), {@code
 * somabrain} ({@code /health}'s {@code ready}), {@code temporal} (gRPC health check), then the
 * storage chain's links ({@code storage.local}, a directory check; {@code storage.s3} and {@code
 * storage.redis} where configured, judged by outcomes), then the entries of {@code
 * degradation.dependencies} (LLM, TTS, STT and storage providers), which replace a standard one of
 * the same name. An unset address shows as not configured.
 */
public final class StandardDependencies {

  private StandardDependencies() {}

  public static List<MonitoredDependency> of(
      ServiceConfig config, Pool pool, KafkaAdminClient admin) {
    List<MonitoredDependency> list = new ArrayList<>();
    list.add(MonitoredDependency.probed("postgresql", (vertx, timeout) -> new SqlProbe(pool)));
    list.add(MonitoredDependency.probed("kafka", (vertx, timeout) -> new KafkaProbe(admin)));
    list.add(probedAt("redis", config.redisUrl(), url -> (vertx, t) -> new RedisProbe(vertx, url)));
    list.add(
        probedAt(
            "somabrain",
            config.somabrainUrl(),
            url -> (vertx, timeout) -> new SomaBrainProbe(vertx, url, timeout)));
    list.add(
        probedAt(
            "temporal",
            config.temporalHost(),
            host -> (vertx, timeout) -> new GrpcHealthProbe(vertx, host, timeout)));
    list.addAll(storage(config.storage()));
    for (ExtraDependency extra : config.degradation().extraDependencies()) {
      list.removeIf(d -> d.name().equals(extra.name()));
      if (!extra.configured()) {
        list.add(MonitoredDependency.notConfigured(extra.name()));
      } else {
        list.add(
            extra
                .probeUrl()
                .map(
                    url ->
                        MonitoredDependency.probed(
                            extra.name(),
                            (vertx, timeout) -> new HttpReachabilityProbe(vertx, url, timeout)))
                .orElse(MonitoredDependency.outcomeOnly(extra.name())));
      }
    }
    return list;
  }

  /**
   * The storage chain's links as it names them ({@code storage.<link>}): the local directory is
   * probed; S3 and Redis, where configured, are judged by the uploads' outcomes. So {@code uploads}
   * shows its real state before the first upload.
   */
  private static List<MonitoredDependency> storage(StorageConfig storage) {
    List<MonitoredDependency> links = new ArrayList<>();
    if (storage.s3().configured()) {
      links.add(MonitoredDependency.outcomeOnly("storage.s3"));
    }
    Path dir = storage.local().dir();
    links.add(
        storage.local().enabled()
            ? MonitoredDependency.probed(
                "storage.local", (vertx, timeout) -> new DirectoryProbe(vertx, dir))
            : MonitoredDependency.notConfigured("storage.local"));
    if (storage.redis().url().isPresent()) {
      links.add(MonitoredDependency.outcomeOnly("storage.redis"));
    }
    return links;
  }

  /** {@code name}, probed at its {@code address} when one is configured. */
  private static <A> MonitoredDependency probedAt(
      String name, Optional<A> address, Function<A, HealthProbe.Factory> probe) {
    return address
        .map(a -> MonitoredDependency.probed(name, probe.apply(a)))
        .orElse(MonitoredDependency.notConfigured(name));
  }
}
