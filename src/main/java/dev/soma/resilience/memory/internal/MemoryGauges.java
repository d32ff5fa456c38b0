package dev.soma.resilience.memory.internal;

import dev.soma.resilience.memory.PendingMemories;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue's gauges: {@code memory_pending{tenant}} with its total {@code tenant="_all"}, and
 * {@code memory_sync_lag_seconds} (age of the oldest waiting memory). They are registered, at 0,
 * when this is made, and refreshed from the queue every {@code interval} once deployed, whether a
 * sync runs or not: without SomaBrain memories still queue up, and that is worth seeing.
 */
public final class MemoryGauges extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(MemoryGauges.class);

  /** The tenant label of the total series. */
  static final String TOTAL = "_all";

  private final PendingMemories queue;
  private final Duration interval;
  private final MultiGauge pending;
  private final AtomicReference<Double> lagSeconds = new AtomicReference<>(0.0);
  private long timer;

  public MemoryGauges(PendingMemories queue, Duration interval, MeterRegistry registry) {
    this.queue = queue;
    this.interval = interval;
    this.pending =
        MultiGauge.builder("memory.pending")
            .description("Memories waiting for SomaBrain, per tenant; tenant=\"_all\" is the total")
            .register(registry);
    Gauge.builder("memory.sync.lag", lagSeconds, AtomicReference::get)
        .description("Age of the oldest memory waiting for SomaBrain")
        .baseUnit("seconds")
        .strongReference(true)
        .register(registry);
    show(List.of());
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(1, interval.toMillis(), id -> refresh());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void refresh() {
    queue
        .stats()
        .onSuccess(this::show)
        .onFailure(e -> LOG.debug("memory stats not refreshed: {}", e.toString()));
  }

  private void show(List<JsonObject> stats) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    rows.add(
        MultiGauge.Row.of(
            Tags.of("tenant", TOTAL), stats.stream().mapToLong(s -> s.getLong("pending")).sum()));
    stats.forEach(
        s ->
            rows.add(
                MultiGauge.Row.of(Tags.of("tenant", s.getString("tenant")), s.getLong("pending"))));
    pending.register(rows, true);
    lagSeconds.set(stats.stream().mapToDouble(s -> s.getDouble("lagSeconds")).max().orElse(0));
  }
}
