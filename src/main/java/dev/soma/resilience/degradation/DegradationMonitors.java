package dev.soma.resilience.degradation;

import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.degradation.internal.DegradationMetrics;
import dev.soma.resilience.degradation.internal.DegradationMonitor;
import dev.soma.resilience.degradation.internal.StandardDependencies;
import dev.soma.resilience.outbox.Outbox;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Deployable;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.sqlclient.Pool;
import java.time.Clock;

/** Builds the degradation monitor verticle for the composition root. */
public final class DegradationMonitors {

  private DegradationMonitors() {}

  /**
   * The monitor of the standard dependencies (PostgreSQL through {@code pool}, Kafka through {@code
   * admin}, and whatever {@code config} declares), writing its events through {@code outbox} and
   * naming {@code node} in them.
   */
  public static Deployable monitor(
      ServiceConfig config,
      Pool pool,
      KafkaAdminClient admin,
      Outbox outbox,
      MeterRegistry registry,
      String node) {
    return new DegradationMonitor(
        config.degradation(),
        StandardDependencies.of(config, pool, admin),
        outbox,
        pool,
        new DegradationMetrics(registry),
        node,
        Clock.systemUTC());
  }
}
