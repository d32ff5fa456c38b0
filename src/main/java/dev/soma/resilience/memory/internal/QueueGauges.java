package dev.soma.resilience.memory.internal;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The pending-memory queue as gauges: {@code memory.pending} per tenant and {@code
 * memory.sync.lag}, the age of the oldest memory waiting for SomaBrain (over all tenants).
 */
final class QueueGauges {

  private final MultiGauge pending;
  private final AtomicReference<Double> lagSeconds = new AtomicReference<>(0.0);

  QueueGauges(MeterRegistry registry) {
    this.pending =
        MultiGauge.builder("memory.pending")
            .description("Memories waiting for SomaBrain, per tenant")
            .register(registry);
    Gauge.builder("memory.sync.lag", lagSeconds, AtomicReference::get)
        .description("Age of the oldest memory waiting for SomaBrain")
        .baseUnit("seconds")
        .register(registry);
  }

  /** Shows {@code stats}, the queue's per-tenant {@code pending} and {@code lagSeconds}. */
  void show(List<JsonObject> stats) {
    pending.register(
        stats.stream()
            .map(
                s ->
                    MultiGauge.Row.of(
                        Tags.of("tenant", s.getString("tenant")), s.getLong("pending")))
            .toList(),
        true);
    lagSeconds.set(stats.stream().mapToDouble(s -> s.getDouble("lagSeconds")).max().orElse(0));
  }
}
