package dev.soma.resilience.degradation.internal;

import dev.soma.resilience.breaker.BreakerAddresses;
import dev.soma.resilience.breaker.OverridesApplied;
import dev.soma.resilience.config.DegradationConfig;
import dev.soma.resilience.degradation.CallReport;
import dev.soma.resilience.degradation.DegradationAddresses;
import dev.soma.resilience.degradation.StatusChange;
import dev.soma.resilience.degradation.StatusSnapshot;
import dev.soma.resilience.journal.JournaledWrites;
import dev.soma.resilience.outbox.Outbox;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The degradation monitor: one status per dependency and capability, from the outcomes clients
 * report ({@link DegradationAddresses#CALL_OUTCOME}) and from cheap periodic probes. Every change
 * is published on {@link DegradationAddresses#STATUS_CHANGED}, kept in a bounded history, shown in
 * the metrics and written to Kafka through the outbox; the snapshot and history answer on their
 * request/reply addresses. Deploy one per service process.
 *
 * <p>An operator's override of a dependency's own breaker ({@link
 * BreakerAddresses#OVERRIDES_APPLIED}) shows in its status: forced open, the dependency is
 * unavailable (every call to it is refused) with the reason "forced open by &lt;operator&gt;:
 * &lt;reason&gt;"; forced closed, its health is what its calls say, and the reason says the breaker
 * is forced closed.
 */
public final class DegradationMonitor extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(DegradationMonitor.class);
  private static final int MAX_REPORTED_DEPENDENCIES = 256;

  private final DegradationConfig config;
  private final List<MonitoredDependency> dependencies;
  private final Outbox outbox;
  private final JournaledWrites writes;
  private final DegradationMetrics metrics;
  private final String node;
  private final Clock clock;
  private final StatusAssessor assessor;
  private final StatusBook book;
  private final NodeOutcomes byNode;
  private final Map<String, TrackedDependency> tracked = new LinkedHashMap<>();
  private final OperatorOverrides overrides = new OperatorOverrides();
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private DegradationEvents events;
  private long probeTimer = -1;
  private long evaluationTimer = -1;

  public DegradationMonitor(
      DegradationConfig config,
      List<MonitoredDependency> dependencies,
      Outbox outbox,
      JournaledWrites writes,
      DegradationMetrics metrics,
      String node,
      Clock clock,
      long epoch,
      StatusSnapshot previous) {
    this.config = config;
    this.dependencies = List.copyOf(dependencies);
    this.outbox = outbox;
    this.writes = writes;
    this.metrics = metrics;
    this.node = node;
    this.clock = clock;
    this.assessor =
        new StatusAssessor(
            new LevelPolicy(config.thresholds()),
            DependencyGraph.parse(config.graph()),
            overrides,
            config.criticalServices());
    this.book = StatusBook.continuing(previous, config.historySize(), epoch);
    this.byNode = new NodeOutcomes(config.window(), clock, config.thresholds());
  }

  @Override
  public Future<?> start() {
    events =
        new DegradationEvents(
            writes,
            outbox,
            config.eventsTopic(),
            config.eventsTenant(),
            node,
            new SuppressionWindow(config.suppressionWindow()),
            metrics);
    for (MonitoredDependency dependency : dependencies) {
      track(dependency);
    }
    var bus = vertx.eventBus();
    consumers.add(
        bus.<JsonObject>consumer(
            DegradationAddresses.CALL_OUTCOME,
            message ->
                BroadcastBody.read(
                        message.body(), CallReport::fromJson, "a malformed call outcome", LOG)
                    .ifPresent(
                        outcome ->
                            onOutcome(outcome, message.headers().get(CallReport.NODE_HEADER)))));
    consumers.add(
        bus.<JsonObject>consumer(
            BreakerAddresses.OVERRIDES_APPLIED,
            message ->
                BroadcastBody.read(
                        message.body(),
                        OverridesApplied::fromJson,
                        "malformed breaker overrides",
                        LOG)
                    .ifPresent(this::onOverrides)));
    consumers.add(
        bus.<JsonObject>consumer(
            DegradationAddresses.STATUS_SNAPSHOT,
            message -> message.reply(book.snapshot().toJson().put("nodes", byNode.toJson()))));
    consumers.add(
        bus.<JsonObject>consumer(
            DegradationAddresses.STATUS_HISTORY, message -> message.reply(history())));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
        .onSuccess(
            v -> {
              evaluate();
              probeRound();
              probeTimer = vertx.setPeriodic(config.probeInterval().toMillis(), id -> probeRound());
              evaluationTimer =
                  vertx.setPeriodic(config.evaluationInterval().toMillis(), id -> evaluate());
              LOG.info("degradation monitor watching {} on node {}", tracked.keySet(), node);
            });
  }

  /** The changes the book remembers, oldest first. */
  private JsonObject history() {
    return new JsonObject()
        .put("changes", new JsonArray(book.history().stream().map(StatusChange::toJson).toList()));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(probeTimer);
    vertx.cancelTimer(evaluationTimer);
    List<Future<Void>> closing = new ArrayList<>();
    consumers.forEach(c -> closing.add(c.unregister()));
    tracked.values().forEach(t -> t.probe.ifPresent(p -> closing.add(p.close())));
    return Future.join(closing);
  }

  private TrackedDependency track(MonitoredDependency dependency) {
    Optional<HealthProbe> probe =
        dependency.configured()
            ? dependency.probe().map(f -> f.create(vertx, config.probeTimeout()))
            : Optional.empty();
    boolean critical =
        dependency.critical() || config.criticalServices().contains(dependency.name());
    TrackedDependency t =
        new TrackedDependency(
            dependency.asCritical(critical),
            probe,
            config.window(),
            config.thresholds().failuresToUnavailable(),
            clock);
    tracked.put(dependency.name(), t);
    return t;
  }

  /** {@code node}: the reporting node (absent from a report published without the header). */
  private void onOutcome(CallReport outcome, String node) {
    TrackedDependency t = tracked.get(outcome.dependency());
    if (t == null) {
      if (tracked.size() >= MAX_REPORTED_DEPENDENCIES) {
        LOG.warn(
            "ignoring outcome for {}: already tracking {} services",
            outcome.dependency(),
            tracked.size());
        return;
      }
      LOG.info("tracking {} from the outcomes its clients report", outcome.dependency());
      t = track(MonitoredDependency.outcomeOnly(outcome.dependency()));
    }
    if (!t.spec.configured()) {
      return;
    }
    t.window.record(outcome.ok(), outcome.latencyMs(), outcome.error().orElse(null), false);
    byNode.record(
        outcome.dependency(),
        node == null ? "unnamed" : node,
        outcome.ok(),
        outcome.latencyMs(),
        outcome.error().orElse(null));
    evaluate();
  }

  private void onOverrides(OverridesApplied applied) {
    if (overrides.update(applied)) {
      evaluate();
    }
  }

  private void probeRound() {
    Instant now = clock.instant();
    for (TrackedDependency t : tracked.values()) {
      if (t.wantsProbe(now, config.probeInterval())) {
        t.probeOnce(config.probeTimeout()).onComplete(done -> evaluate());
      }
    }
  }

  /** Recomputes every status; publishes, records and writes the changes. */
  private void evaluate() {
    Instant now = clock.instant();
    List<StatusChange> changes = book.apply(assessor.statuses(tracked, now), now);
    metrics.update(book.snapshot());
    changes.forEach(change -> announce(change, now));
    events.catchUp(book.snapshot(), now);
  }

  /** Logs and broadcasts {@code change}, and counts it if the event window holds it back. */
  private void announce(StatusChange change, Instant now) {
    LOG.info(
        "service {} is {} ({}), was {}; agent level {} [change {}]",
        change.service(),
        change.current().state().wire(),
        change.current().level().wire(),
        change
            .previous()
            .map(p -> p.state().wire() + " (" + p.level().wire() + ")")
            .orElse("not tracked"),
        change.overall().wire(),
        change.sequence());
    vertx.eventBus().publish(DegradationAddresses.STATUS_CHANGED, change.toJson());
    events.countSuppressed(change.current(), now);
  }
}
