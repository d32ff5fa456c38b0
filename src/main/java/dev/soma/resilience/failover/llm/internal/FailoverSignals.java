package dev.soma.resilience.failover.llm.internal;

import dev.soma.resilience.degradation.DegradationAddresses;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Optional;

/**
 * What failover tells the rest of the system: the counter {@code llm_failover_count} (Prometheus:
 * {@code llm_failover_count_total{from_provider,to_provider}}) and one {@link
 * DegradationAddresses#CALL_OUTCOME} message per provider call.
 */
public final class FailoverSignals {

  private final MeterRegistry registry;
  private final EventBus eventBus;

  public FailoverSignals(MeterRegistry registry, EventBus eventBus) {
    this.registry = registry;
    this.eventBus = eventBus;
  }

  void failedOver(String fromProvider, String toProvider) {
    Counter.builder("llm.failover.count")
        .description("Requests moved from one provider of a chain to the next")
        .tag("from_provider", fromProvider)
        .tag("to_provider", toProvider)
        .register(registry)
        .increment();
  }

  /** {@code ok} means the provider worked (a request it refused as wrong still shows it up). */
  void called(
      String dependency, String tenant, boolean ok, Duration latency, Optional<String> error) {
    JsonObject outcome =
        new JsonObject()
            .put("dependency", dependency)
            .put("tenant", tenant)
            .put("ok", ok)
            .put("latencyMs", latency.toMillis());
    error.ifPresent(e -> outcome.put("error", e));
    eventBus.publish(DegradationAddresses.CALL_OUTCOME, outcome);
  }
}
