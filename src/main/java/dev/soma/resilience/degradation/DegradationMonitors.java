package dev.soma.resilience.degradation;

import dev.soma.resilience.cluster.Leadership;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.degradation.internal.DegradationMetrics;
import dev.soma.resilience.degradation.internal.DegradationMonitor;
import dev.soma.resilience.degradation.internal.MonitorSeat;
import dev.soma.resilience.degradation.internal.StandardDependencies;
import dev.soma.resilience.journal.JournaledWrites;
import dev.soma.resilience.outbox.Outbox;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Deployable;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.function.Supplier;

/** Builds the degradation monitor verticle for the composition root. */
public final class DegradationMonitors {

  private DegradationMonitors() {}

  /**
   * The monitor of the standard dependencies (PostgreSQL through {@code pool}, Kafka through {@code
   * admin}, and whatever {@code config} declares), writing its events through {@code outbox} (or
   * journaling them through {@code writes} while PostgreSQL cannot be reached) and naming {@code
   * node} in them. It is active while {@code leadership} says this node leads (always, on a node
   * that runs alone); a monitor that takes over continues from {@code lastSeen}, the status this
   * node last saw.
   */
  public static Deployable monitor(
      ServiceConfig config,
      Pool pool,
      KafkaAdminClient admin,
      Outbox outbox,
      JournaledWrites writes,
      MeterRegistry registry,
      String node,
      Leadership leadership,
      Supplier<StatusSnapshot> lastSeen) {
    DegradationMetrics metrics = new DegradationMetrics(registry);
    MonitorSeat seat =
        MonitorSeat.of(
            leadership,
            lastSeen,
            (epoch, previous) ->
                new DegradationMonitor(
                    config.degradation(),
                    StandardDependencies.of(config, pool, admin),
                    outbox,
                    writes,
                    metrics,
                    node,
                    Clock.systemUTC(),
                    epoch,
                    previous));
    Gauge.builder("degradation_monitor_active", seat, s -> s.isActive() ? 1 : 0)
        .description("1 while this node's degradation monitor is the active one of its cluster")
        .register(registry);
    return seat;
  }
}
