package dev.soma.resilience;

import dev.soma.resilience.api.AgentApi;
import dev.soma.resilience.api.OperationsApi;
import dev.soma.resilience.api.RouteModule;
import dev.soma.resilience.breaker.BreakerOverrides;
import dev.soma.resilience.common.ProcessName;
import dev.soma.resilience.config.NodeConfig;
import dev.soma.resilience.config.NodeRole;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.degradation.DegradationMonitors;
import dev.soma.resilience.degradation.DegradationStatusView;
import dev.soma.resilience.flags.FeatureFlags;
import dev.soma.resilience.idempotency.IdempotencyCleanup;
import dev.soma.resilience.journal.Journal;
import dev.soma.resilience.journal.JournalMetrics;
import dev.soma.resilience.journal.JournalReplay;
import dev.soma.resilience.journal.JournaledWrites;
import dev.soma.resilience.memory.Memories;
import dev.soma.resilience.memory.MemoryService;
import dev.soma.resilience.retention.Retention;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What runs on this process for its {@link Application.Role}, deployed in order on the process's
 * {@link NodeParts}: the feature flags' sync first (deployed before anything the flags gate), the
 * outbox relay (for the service only when the node has the {@code relay} role), then what the role
 * adds. The service deploys what each of the node's roles ({@code SA01_ROLES}) asks for, in this
 * order: {@code api} (the local journal, opened first; then {@link ApiRole}'s parts), {@code relay}
 * (idempotency cleanup, retention), {@code monitor}, {@code memory-sync}, {@code failover} ({@link
 * FailoverRole}: LLM, audio); then the breakers' overrides, and the HTTP verticle last.
 */
final class RoleDeployment {

  /**
   * How often each process re-reads the breakers' overrides and the feature flags, the safety net
   * under {@code LISTEN} (which applies a change within a round trip).
   */
  static final Duration BREAKER_OVERRIDES_REREAD = Duration.ofSeconds(5);

  static final Duration FEATURE_FLAGS_REREAD = BREAKER_OVERRIDES_REREAD;

  private final ServiceConfig config;
  private final NodeParts parts;
  private final Vertx vertx;
  private final HttpServers http;
  private final BooleanSupplier stopping; // the node is stopping: readiness answers 503
  private volatile Journal journal;

  RoleDeployment(
      ServiceConfig config, NodeParts parts, HttpServers http, BooleanSupplier stopping) {
    this.config = config;
    this.parts = parts;
    this.vertx = parts.vertx();
    this.http = http;
    this.stopping = stopping;
  }

  /** Deploys what {@code role} runs (not {@link Application.Role#TOOLS}: nothing to deploy). */
  Future<?> deploy(Application.Role role) {
    boolean relays = role != Application.Role.SERVICE || config.node().runs(NodeRole.RELAY);
    String relayId =
        "relay-" + ProcessName.get() + "-" + UUID.randomUUID().toString().substring(0, 8);
    return deployFlagSync()
        .compose(
            v ->
                relays
                    ? parts
                        .relays(config)
                        .deploy(vertx, relayId, Optional.of(parts.database().connectOptions()))
                    : Future.succeededFuture())
        .compose(v -> deployForRole(role));
  }

  /** The local journal, once the {@code api} or {@code monitor} role opened it. */
  Optional<Journal> journal() {
    return Optional.ofNullable(journal);
  }

  /**
   * Keeps the process's flags under the stored rules; deployed before anything they gate, so the
   * relay, the memory service and the LLM chain start under them.
   */
  private Future<?> deployFlagSync() {
    return vertx.deployVerticle(
        new FeatureFlags(parts.pool())
            .syncTo(parts.flags(), parts.database().connectOptions(), FEATURE_FLAGS_REREAD));
  }

  /** What {@code role} adds to the relay and housekeeping. */
  private Future<?> deployForRole(Application.Role role) {
    return switch (role) {
      case SERVICE -> deployService();
      case RELAY_WITH_PROBES -> deployHttp(false, List.of());
      case RELAY_ONLY, TOOLS -> Future.succeededFuture();
    };
  }

  /**
   * The parts of the service this node's roles ask for, the journal first: the API journals its
   * writes, the monitor its events, so a node running either keeps a journal (in its own data
   * directory) and replays it.
   */
  private Future<?> deployService() {
    NodeConfig node = config.node();
    Future<Journal> opened =
        node.runs(NodeRole.API) || node.runs(NodeRole.MONITOR)
            ? vertx.executeBlocking(
                () -> Journal.open(config.journal().settings(), Clock.systemUTC()))
            : Future.succeededFuture();
    return opened.compose(
        started -> {
          journal = started;
          return deployService(node);
        });
  }

  private Future<?> deployService(NodeConfig node) {
    DegradationStatusView status =
        DegradationStatusView.open(vertx, Duration.ofSeconds(2), config.degradation().viewResync());
    Memories memories = parts.memories(config, () -> status.isUsable(MemoryService.DEPENDENCY));
    List<RouteModule> routes = new ArrayList<>();
    List<Supplier<Future<?>>> steps = new ArrayList<>();
    ServiceMeters.featureFlags(parts.flags(), parts.registry());
    JournaledWrites writes =
        new JournaledWrites(
            parts.pool(),
            Optional.ofNullable(journal),
            Clock.systemUTC(),
            config.database().answerTimeout());
    if (node.runs(NodeRole.API)) {
      new ApiRole(config, parts, journal).plan(status, memories, writes, routes, steps);
    } else if (journal != null) {
      monitorJournalReplay(memories, steps);
    }
    if (node.runs(NodeRole.RELAY)) {
      housekeeping(steps);
    }
    if (node.runs(NodeRole.MONITOR)) {
      steps.add(() -> vertx.deployVerticle(monitor(status, writes)));
    }
    if (node.runs(NodeRole.MEMORY_SYNC)) {
      steps.add(() -> memories.deploySync("memory-sync-" + ProcessName.get()));
    }
    if (node.runs(NodeRole.FAILOVER)) {
      new FailoverRole(config, parts).plan(steps);
    }
    steps.add(
        () ->
            vertx.deployVerticle(
                new BreakerOverrides(parts.pool())
                    .syncTo(
                        parts.breakers(),
                        parts.database().connectOptions(),
                        BREAKER_OVERRIDES_REREAD)));
    steps.add(() -> deployHttp(node.runs(NodeRole.API), routes));
    Future<?> deployed = Future.succeededFuture();
    for (Supplier<Future<?>> step : steps) {
      deployed = deployed.compose(v -> step.get());
    }
    return deployed;
  }

  /** The {@code relay} role's housekeeping beside the relay: idempotency records, retention. */
  private void housekeeping(List<Supplier<Future<?>>> steps) {
    steps.add(
        () ->
            vertx.deployVerticle(
                new IdempotencyCleanup(
                    parts.pool(),
                    Duration.ofSeconds(config.idempotency().cleanupIntervalSeconds()),
                    Clock.systemUTC())));
    steps.add(
        () ->
            vertx.deployVerticle(
                new Retention(
                    parts.pool(), config.retention(), config.outbox().cleanupInterval())));
  }

  /**
   * A node with the {@code monitor} role but not {@code api}: the replay of its journal (the
   * monitor's events), with every kind, as {@code journal replay} has.
   */
  private void monitorJournalReplay(Memories memories, List<Supplier<Future<?>>> steps) {
    JournalReplay replay =
        AgentApi.journalReplay(
            parts.pool(),
            parts.keeper(),
            parts.outbox(),
            memories.service(),
            config,
            journal,
            config.journal().replayInterval());
    JournalMetrics.register(parts.registry(), journal, replay);
    steps.add(() -> vertx.deployVerticle(replay));
  }

  /** The {@code monitor} role: its seat, which runs the monitor while this node leads. */
  private Deployable monitor(DegradationStatusView status, JournaledWrites writes) {
    return DegradationMonitors.monitor(
        config,
        parts.pool(),
        parts.admin(),
        parts.outbox(),
        writes,
        parts.registry(),
        ProcessName.get(),
        parts.cluster().leadership(NodeRole.MONITOR, Clock.systemUTC()),
        status::current);
  }

  /** The HTTP verticle's instances: health, metrics, and for the service its status and API. */
  private Future<?> deployHttp(boolean serveStatus, List<RouteModule> modules) {
    return http.deploy(
        () ->
            new OperationsApi(
                parts.database(),
                parts.pool(),
                parts.registry(),
                config.httpHost(),
                config.httpPort(),
                config.api().maxBodyBytes(),
                serveStatus,
                Optional.ofNullable(journal),
                config.journal().readyWhileJournaling(),
                stopping,
                modules),
        serveStatus ? config.httpInstances() : 1);
  }
}
