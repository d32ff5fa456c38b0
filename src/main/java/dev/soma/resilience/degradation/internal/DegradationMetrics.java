package dev.soma.resilience.degradation.internal;

import dev.soma.resilience.degradation.DependencyStatus;
import dev.soma.resilience.degradation.StatusSnapshot;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The monitor's meters: {@code service_health_state{service}} (1 healthy, 0.5 degraded, 0
 * unavailable, -1 unknown, -2 not configured), {@code service_degradation_level{service}} (0 none
 * to 4 critical), {@code degradation_overall_level}, and {@code
 * degradation_events_total{outcome=written|suppressed}}.
 */
public final class DegradationMetrics {

  private final MeterRegistry registry;
  private final Map<String, AtomicReference<DependencyStatus>> services = new ConcurrentHashMap<>();
  private final AtomicReference<StatusSnapshot> snapshot =
      new AtomicReference<>(StatusSnapshot.empty());
  private final Counter written;
  private final Counter suppressed;

  public DegradationMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("degradation_overall_level", snapshot, s -> s.get().overall().value())
        .description("The agent-wide degradation level, 0 (none) to 4 (critical)")
        .strongReference(true)
        .register(registry);
    this.written =
        Counter.builder("degradation_events_total")
            .tag("outcome", "written")
            .description("Status-change events written to the outbox, or suppressed as flapping")
            .register(registry);
    this.suppressed =
        Counter.builder("degradation_events_total").tag("outcome", "suppressed").register(registry);
  }

  void update(StatusSnapshot latest) {
    snapshot.set(latest);
    latest
        .services()
        .forEach(
            (name, status) -> services.computeIfAbsent(name, n -> register(n, status)).set(status));
  }

  void eventWritten() {
    written.increment();
  }

  void eventSuppressed() {
    suppressed.increment();
  }

  private AtomicReference<DependencyStatus> register(String service, DependencyStatus first) {
    AtomicReference<DependencyStatus> holder = new AtomicReference<>(first);
    Gauge.builder("service_health_state", holder, h -> h.get().state().gaugeValue())
        .tag("service", service)
        .description("1 healthy, 0.5 degraded, 0 unavailable, -1 unknown, -2 not configured")
        .strongReference(true)
        .register(registry);
    Gauge.builder("service_degradation_level", holder, h -> h.get().level().value())
        .tag("service", service)
        .description("0 none, 1 minor, 2 moderate, 3 severe, 4 critical")
        .strongReference(true)
        .register(registry);
    return holder;
  }
}
