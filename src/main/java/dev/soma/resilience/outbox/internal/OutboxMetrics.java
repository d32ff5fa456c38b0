package dev.soma.resilience.outbox.internal;

import dev.soma.resilience.outbox.DeadLetterCounter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The outbox's meters, as Prometheus sees them: {@code outbox_messages_pending{tenant}}, {@code
 * outbox_messages_published_total{topic}}, {@code outbox_publish_latency_seconds} (commit to broker
 * ack), {@code dlq_messages_total{topic}}, {@code outbox_relay_batch_size}, {@code
 * outbox_relay_batches_pipelined_total}, {@code outbox_publish_failures_total{kind}} (every kind
 * from the start), {@code outbox_lease_lost_total} (rows a relay could not settle because another
 * relay had taken them over after its lease ran out), {@code
 * outbox_oldest_pending_age_seconds{tenant}} (age of each tenant's oldest pending row; {@code
 * tenant="_all"} is the oldest of all). The pending gauges and the dead-letter counter have a total
 * series ({@code tenant="_all"}, {@code topic="_all"}) from the moment they are created, so a
 * scrape of a fresh or healthy service finds them at 0.
 */
public final class OutboxMetrics {

  /** The tenant label of the pending gauge's total series. */
  static final String TOTAL = "_all";

  private final MeterRegistry registry;
  private final Timer latency;
  private final DistributionSummary batchSize;
  private final Counter pipelined;
  private final MultiGauge pending;
  private final MultiGauge oldestPending;
  private final Counter leaseLost;
  private final Map<String, Counter> published = new ConcurrentHashMap<>();
  private final Map<String, DeadLetterCounter> dead = new ConcurrentHashMap<>();
  private final Map<PublishFailure.Kind, Counter> failures = new ConcurrentHashMap<>();

  public OutboxMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.latency =
        Timer.builder("outbox.publish.latency")
            .description("Time from an event's commit to the broker's acknowledgement")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofMinutes(10))
            .register(registry);
    this.batchSize =
        DistributionSummary.builder("outbox.relay.batch.size")
            .description("Rows per claimed batch")
            .register(registry);
    this.pipelined =
        Counter.builder("outbox.relay.batches.pipelined")
            .description(
                "Batches sent while an earlier batch of one of their aggregates was still in flight")
            .register(registry);
    this.pending =
        MultiGauge.builder("outbox.messages.pending")
            .description("Pending outbox rows per tenant")
            .register(registry);
    this.oldestPending =
        MultiGauge.builder("outbox.oldest.pending.age")
            .description("Age of each tenant's oldest pending outbox row (created_at to now)")
            .baseUnit("seconds")
            .register(registry);
    this.leaseLost =
        Counter.builder("outbox.lease.lost")
            .description(
                "Rows a relay could not settle because another relay had taken over their lease")
            .register(registry);
    pending(Map.of(), Map.of());
    DeadLetterCounter.total(registry);
    // every kind at 0 from the start, so an increase() sees the first failure of a kind
    for (PublishFailure.Kind kind : PublishFailure.Kind.values()) {
      failureCounter(kind);
    }
  }

  public void published(String topic, Duration commitToAck) {
    published
        .computeIfAbsent(
            topic,
            t ->
                Counter.builder("outbox.messages.published")
                    .description("Events acknowledged by the broker")
                    .tag("topic", t)
                    .register(registry))
        .increment();
    latency.record(commitToAck.isNegative() ? Duration.ZERO : commitToAck);
  }

  public void deadLettered(String topic) {
    dead.computeIfAbsent(topic, t -> DeadLetterCounter.of(registry, t)).increment();
  }

  public void failed(PublishFailure.Kind kind) {
    failureCounter(kind).increment();
  }

  private Counter failureCounter(PublishFailure.Kind kind) {
    return failures.computeIfAbsent(
        kind,
        k ->
            Counter.builder("outbox.publish.failures")
                .description("Failed publish attempts by kind")
                .tag("kind", k.name().toLowerCase())
                .register(registry));
  }

  public void leaseLost(int rows) {
    leaseLost.increment(rows);
  }

  public void batch(int size) {
    batchSize.record(size);
  }

  /** A batch went out while an earlier batch of one of its aggregates was still in flight. */
  void pipelined() {
    pipelined.increment();
  }

  /**
   * Replaces the per-tenant pending gauges with {@code counts} and {@code oldestSeconds} (tenants
   * not listed have no pending row) and their totals ({@code tenant="_all"}: the sum of the counts,
   * the largest of the ages, 0 when nothing is pending).
   */
  public void pending(Map<String, Long> counts, Map<String, Long> oldestSeconds) {
    pending.register(rows(counts, counts.values().stream().mapToLong(Long::longValue).sum()), true);
    oldestPending.register(
        rows(
            oldestSeconds,
            oldestSeconds.values().stream().mapToLong(Long::longValue).max().orElse(0)),
        true);
  }

  private static List<MultiGauge.Row<?>> rows(Map<String, Long> perTenant, long total) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    rows.add(MultiGauge.Row.of(Tags.of("tenant", TOTAL), total));
    perTenant.forEach(
        (tenant, value) -> rows.add(MultiGauge.Row.of(Tags.of("tenant", tenant), value)));
    return rows;
  }

  List<String> topics() {
    return List.copyOf(published.keySet());
  }
}
