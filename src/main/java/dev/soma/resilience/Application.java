package dev.soma.resilience;

import dev.soma.resilience.api.AgentApi;
import dev.soma.resilience.api.ApiDocs;
import dev.soma.resilience.api.OperationsApi;
import dev.soma.resilience.api.RouteModule;
import dev.soma.resilience.api.StatusPage;
import dev.soma.resilience.breaker.BreakerOverrides;
import dev.soma.resilience.breaker.BreakerPanel;
import dev.soma.resilience.cluster.ClusterNode;
import dev.soma.resilience.cluster.Clustering;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.ProcessName;
import dev.soma.resilience.common.db.Database;
import dev.soma.resilience.common.db.LeaseKeeper;
import dev.soma.resilience.common.kafka.AdminSettings;
import dev.soma.resilience.common.kafka.Producers;
import dev.soma.resilience.config.NodeConfig;
import dev.soma.resilience.config.NodeRole;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.degradation.DegradationMonitors;
import dev.soma.resilience.degradation.DegradationStatusView;
import dev.soma.resilience.failover.audio.AudioFailoverVerticle;
import dev.soma.resilience.failover.llm.LlmFailoverVerticle;
import dev.soma.resilience.failover.storage.StorageFailoverVerticle;
import dev.soma.resilience.flags.FeatureFlags;
import dev.soma.resilience.flags.FlagBook;
import dev.soma.resilience.idempotency.IdempotencyCleanup;
import dev.soma.resilience.journal.Journal;
import dev.soma.resilience.journal.JournalMetrics;
import dev.soma.resilience.journal.JournalReplay;
import dev.soma.resilience.memory.Memories;
import dev.soma.resilience.memory.MemoryService;
import dev.soma.resilience.outbox.Outbox;
import dev.soma.resilience.outbox.OutboxRelays;
import dev.soma.resilience.retention.Retention;
import dev.soma.resilience.session.SessionContext;
import dev.soma.resilience.tenant.KeyCache;
import dev.soma.resilience.tenant.RateLimit;
import dev.soma.resilience.tenant.RateLimiter;
import dev.soma.resilience.tenant.internal.KeyRecheck;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.Route;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds {@link Vertx} with metrics, the shared pool and Kafka producer, and
 * deploys each verticle with its dependencies. {@link #start} returns once everything listens;
 * {@link #close} stops verticles, clients and the embedded servers, in that order.
 */
public final class Application implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Application.class);

  /**
   * How often each process re-reads the breakers' overrides, the safety net under {@code LISTEN}
   * (which applies a change within a round trip).
   */
  static final Duration BREAKER_OVERRIDES_REREAD = Duration.ofSeconds(5);

  /** API keys remembered per process (tenants' keys in use; more are read on every request). */
  static final int KEY_CACHE_CAPACITY = 100_000;

  /**
   * How often each process re-reads the feature flags, the safety net under {@code LISTEN} (which
   * applies a change within a round trip).
   */
  static final Duration FEATURE_FLAGS_REREAD = Duration.ofSeconds(5);

  /** The longest a stopping node keeps serving with readiness at 503 ({@link #shutDown}). */
  static final Duration DRAIN_AT_MOST = Duration.ofSeconds(5);

  /**
   * What to run: the whole service, or only the outbox relay (the {@code publish-outbox} command).
   */
  public enum Role {
    SERVICE,
    RELAY_ONLY,
    /** The relay with health probes and metrics on {@code http.port}, no agent API. */
    RELAY_WITH_PROBES,
    /** Migrated pool and producer only, for one-shot commands. */
    TOOLS
  }

  private final Infrastructure infrastructure;
  private final ClusterNode clusterNode;
  private final Vertx vertx;
  private final Pool pool;
  private final KafkaProducer<String, String> producer;
  private final KafkaAdminClient admin;
  private final Database database;
  private final PrometheusMeterRegistry registry;
  private final Outbox outbox;
  private final ServiceMeters processMeters;
  private final HttpServers http;

  /** Every circuit breaker of this process, and the operators' overrides in force on it. */
  private final BreakerPanel breakers = new BreakerPanel();

  /** The feature flags' rules in force on this process (all at their defaults for tools). */
  private final FlagBook flags = new FlagBook();

  /** This process's lease keeper, once the schema is migrated (its leases end with it). */
  private volatile LeaseKeeper keeper;

  private volatile Journal journal;

  /** Set on SIGTERM: readiness answers 503 from then on ({@link #shutDown}). */
  private volatile boolean stopping;

  /** How long {@link #shutDown} may take in all. */
  private final Duration shutdownGrace;

  /** The role announced as up, to announce it stopped; none for one-shot tools. */
  private volatile Role up;

  private Application(
      ServiceConfig config,
      Infrastructure infrastructure,
      PrometheusMeterRegistry registry,
      ClusterNode node) {
    this.infrastructure = infrastructure;
    this.registry = registry;
    this.processMeters = ServiceMeters.bind(registry);
    this.clusterNode = node;
    this.vertx = node.vertx();
    this.shutdownGrace = config.node().shutdownGrace();
    this.database = new Database(infrastructure.database);
    this.pool = database.pool(vertx, config.database().poolSize());
    this.producer =
        Producers.create(
            vertx, config.kafka(), infrastructure.kafkaBootstrap, "soma-outbox-" + processName());
    this.admin =
        KafkaAdminClient.create(
            vertx,
            AdminSettings.of(
                config.kafka().security(),
                infrastructure.kafkaBootstrap,
                "soma-admin-" + processName()));
    this.outbox = new Outbox(vertx);
    this.http = new HttpServers(vertx);
  }

  /** Starts everything {@code role} needs; blocks the calling (non-event-loop) thread until up. */
  public static Application start(ServiceConfig config, Role role) throws Exception {
    boolean listens = role == Role.SERVICE || role == Role.RELAY_WITH_PROBES;
    if (listens) {
      HttpPort.checkFree(config.httpHost(), config.httpPort());
    }
    Infrastructure infrastructure = Infrastructure.start(config);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Application app;
    try {
      ClusterNode node =
          Clustering.start(
              role == Role.SERVICE ? config.node().cluster() : Optional.empty(),
              role == Role.SERVICE ? config.node().roles() : Set.of(),
              new VertxOptions(),
              registry);
      app = new Application(config, infrastructure, registry, node);
    } catch (Exception e) {
      infrastructure.close();
      throw e;
    }
    try {
      Blocking.await(app.deploy(config, role), Duration.ofMinutes(2));
    } catch (Exception e) {
      app.close();
      throw listens ? HttpPort.explain(e, config.httpPort()) : e;
    }
    return app;
  }

  private Future<?> deploy(ServiceConfig config, Role role) {
    Future<LeaseKeeper> migrated =
        database
            .migrate(vertx)
            .compose(v -> LeaseKeeper.start(vertx, database.connectOptions()))
            .onSuccess(started -> keeper = started);
    if (role == Role.TOOLS) {
      return migrated;
    }
    boolean relays = role != Role.SERVICE || config.node().runs(NodeRole.RELAY);
    String relayId = "relay-" + processName() + "-" + UUID.randomUUID().toString().substring(0, 8);
    return migrated
        .compose(v -> deployFlagSync())
        .compose(
            v ->
                relays
                    ? relays(config).deploy(vertx, relayId, Optional.of(database.connectOptions()))
                    : Future.succeededFuture())
        .compose(v -> deployForRole(config, role))
        .onSuccess(
            v -> {
              up = role;
              LOG.info(
                  "soma-resilience up ({}{}): PostgreSQL {}, Kafka {}, HTTP port {}",
                  role,
                  role == Role.SERVICE ? ", " + config.node().describe() : "",
                  infrastructure.database,
                  infrastructure.kafkaBootstrap + " (" + config.kafka().security() + ")",
                  http.port());
            });
  }

  /** The relay's wiring on this process's pool, producer, meters and flags. */
  public OutboxRelays relays(ServiceConfig config) {
    return new OutboxRelays(
        pool,
        producer,
        admin,
        keeper,
        config.outbox(),
        registry,
        flags,
        () -> clusterNode.running(NodeRole.RELAY));
  }

  /**
   * Keeps {@link #flags} under the stored rules; deployed before anything they gate, so the relay,
   * the memory service and the LLM chain start under them.
   */
  private Future<?> deployFlagSync() {
    return vertx.deployVerticle(
        new FeatureFlags(pool).syncTo(flags, database.connectOptions(), FEATURE_FLAGS_REREAD));
  }

  /**
   * The memory parts on this process's pool and meters; {@code statusSaysAvailable} is the
   * degradation monitor's verdict on SomaBrain.
   */
  public Memories memories(ServiceConfig config, BooleanSupplier statusSaysAvailable) {
    return Memories.create(
        vertx, pool, keeper, config, registry, statusSaysAvailable, breakers, flags);
  }

  /**
   * The parts of the service this node's roles ask for (the relay is deployed before). The agent
   * API's stateful parts (session store, memory service and its SomaBrain breaker, status view) are
   * built here once and shared by every HTTP instance.
   */
  private Future<?> deployService(ServiceConfig config) {
    NodeConfig node = config.node();
    Future<Journal> opened =
        node.runs(NodeRole.API)
            ? vertx.executeBlocking(
                () -> Journal.open(config.journal().settings(), Clock.systemUTC()))
            : Future.succeededFuture();
    return opened.compose(
        started -> {
          journal = started;
          return deployService(config, node);
        });
  }

  private Future<?> deployService(ServiceConfig config, NodeConfig node) {
    DegradationStatusView status =
        DegradationStatusView.open(vertx, Duration.ofSeconds(2), config.degradation().viewResync());
    Memories memories = memories(config, () -> status.isUsable(MemoryService.DEPENDENCY));
    List<RouteModule> routes = new ArrayList<>();
    List<Supplier<Future<?>>> parts = new ArrayList<>();
    ServiceMeters.featureFlags(flags, registry);
    if (node.runs(NodeRole.API)) {
      KeyCache keys = new KeyCache(Clock.systemUTC(), config.api().keyGrace(), KEY_CACHE_CAPACITY);
      AgentApi.Parts api =
          new AgentApi.Parts(
              pool,
              keeper,
              outbox,
              SessionContext.create(vertx, config.redisUrl(), config.session()),
              memories.service(),
              status,
              breakers,
              flags,
              keys,
              journal,
              rateLimiter(config));
      AgentApi agentApi = new AgentApi(vertx, config, api, registry);
      JournalReplay replay = agentApi.journalReplay(api, config.journal());
      JournalMetrics.register(registry, journal, replay);
      parts.add(
          () ->
              vertx.deployVerticle(
                  new KeyRecheck(pool, keys, config.api().keyRecheck(), Clock.systemUTC())));
      parts.add(() -> vertx.deployVerticle(replay));
      // its spooled uploads are files of this node: the chain that stores them runs here
      parts.add(
          () ->
              vertx.deployVerticle(
                  new StorageFailoverVerticle(
                      config.storage(), pool, outbox, registry, Clock.systemUTC(), breakers)));
      routes.addAll(
          List.of(agentApi, new ApiDocs(), new StatusPage(status, Optional.ofNullable(journal))));
    }
    if (node.runs(NodeRole.RELAY)) {
      parts.add(
          () ->
              vertx.deployVerticle(
                  new IdempotencyCleanup(
                      pool,
                      Duration.ofSeconds(config.idempotency().cleanupIntervalSeconds()),
                      Clock.systemUTC())));
      parts.add(
          () ->
              vertx.deployVerticle(
                  new Retention(pool, config.retention(), config.outbox().cleanupInterval())));
    }
    if (node.runs(NodeRole.MONITOR)) {
      parts.add(
          () ->
              vertx.deployVerticle(
                  DegradationMonitors.monitor(
                      config,
                      pool,
                      admin,
                      outbox,
                      registry,
                      processName(),
                      clusterNode.leadership(NodeRole.MONITOR, Clock.systemUTC()),
                      status::current)));
    }
    if (node.runs(NodeRole.MEMORY_SYNC)) {
      parts.add(() -> memories.deploySync("memory-sync-" + processName()));
    }
    if (node.runs(NodeRole.FAILOVER)) {
      ServiceMeters.llmFailovers(config.llm(), registry);
      parts.add(
          () ->
              vertx.deployVerticle(
                  new LlmFailoverVerticle(
                      config.llm(), registry, Clock.systemUTC(), breakers, flags)));
      parts.add(
          () ->
              vertx.deployVerticle(
                  new AudioFailoverVerticle(
                      config.audio(), registry, Clock.systemUTC(), breakers)));
    }
    parts.add(
        () ->
            vertx.deployVerticle(
                new BreakerOverrides(pool)
                    .syncTo(breakers, database.connectOptions(), BREAKER_OVERRIDES_REREAD)));
    parts.add(() -> deployHttp(config, node.runs(NodeRole.API), routes));
    Future<?> deployed = Future.succeededFuture();
    for (Supplier<Future<?>> part : parts) {
      deployed = deployed.compose(v -> part.get());
    }
    return deployed;
  }

  /**
   * Every tenant's rate limit: in Redis, shared by the cluster, when {@code SA01_REDIS_URL} is set;
   * while Redis does not answer, each node applies the limit divided by the live nodes.
   */
  private RateLimiter rateLimiter(ServiceConfig config) {
    return RateLimiter.forProcess(
        vertx,
        config.redisUrl(),
        new RateLimit(config.api().rateLimitPerSecond(), config.api().rateLimitBurst()),
        () -> clusterNode.running(NodeRole.API),
        config.api().rateLimitRedisTimeout(),
        registry);
  }

  /** What {@code role} adds to the relay and housekeeping. */
  private Future<?> deployForRole(ServiceConfig config, Role role) {
    return switch (role) {
      case SERVICE -> deployService(config);
      case RELAY_WITH_PROBES -> deployHttp(config, false, List.of());
      case RELAY_ONLY, TOOLS -> Future.succeededFuture();
    };
  }

  /** The HTTP verticle's instances: health, metrics, and for the service its status and API. */
  private Future<?> deployHttp(
      ServiceConfig config, boolean serveStatus, List<RouteModule> modules) {
    return http.deploy(
        () ->
            new OperationsApi(
                database,
                pool,
                registry,
                config.httpHost(),
                config.httpPort(),
                serveStatus,
                Optional.ofNullable(journal),
                config.journal().readyWhileJournaling(),
                () -> stopping,
                modules),
        serveStatus ? config.httpInstances() : 1);
  }

  public Vertx vertx() {
    return vertx;
  }

  public Pool pool() {
    return pool;
  }

  /** This process's lease keeper (there once {@link #start} returned). */
  public LeaseKeeper leaseKeeper() {
    return keeper;
  }

  public Outbox outbox() {
    return outbox;
  }

  public KafkaProducer<String, String> producer() {
    return producer;
  }

  public PrometheusMeterRegistry meters() {
    return registry;
  }

  /**
   * The HTTP router's routes (of one instance; every instance has the same), empty without HTTP.
   */
  public List<Route> httpRoutes() {
    return http.routes();
  }

  public int httpPort() {
    return http.port();
  }

  /**
   * How a node stops on SIGTERM: readiness answers 503 at once while requests are still served, for
   * a third of the shutdown grace (at most {@link #DRAIN_AT_MOST}) so that load balancers stop
   * sending; then {@link #close} within what is left of the grace.
   */
  public void shutDown() {
    stopping = true;
    // a process without readiness (the relay alone) has no load balancer to wait for
    boolean serves = up == Role.SERVICE || up == Role.RELAY_WITH_PROBES;
    Duration drain = serves ? min(shutdownGrace.dividedBy(3), DRAIN_AT_MOST) : Duration.ZERO;
    LOG.info("stopping: readiness answers 503; stopping in {} ms", drain.toMillis());
    try {
      Thread.sleep(drain.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    close(shutdownGrace.minus(drain));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  @Override
  public void close() {
    close(shutdownGrace);
  }

  /**
   * Stops the verticles first (the relay settles what it has in flight, which needs the producer
   * and the pool), then gives the lease keeper's lock up, then the Kafka clients, then Vert.x, then
   * the embedded servers.
   */
  private void close(Duration within) {
    try {
      // a verticle deployed by another (the active monitor) goes with its parent: its own
      // undeploy may then find it gone, which is no failure
      List<Future<Void>> undeployed =
          vertx.deploymentIDs().stream().map(id -> vertx.undeploy(id).otherwiseEmpty()).toList();
      Blocking.await(
          Future.join(undeployed)
              .eventually(() -> keeper == null ? Future.succeededFuture() : keeper.close())
              .eventually(() -> producer.close(5_000))
              .eventually(() -> admin.close(5_000))
              .eventually(() -> vertx.close()),
          within);
    } catch (Exception e) {
      LOG.warn("Vert.x did not close cleanly: {}", e.toString());
    }
    if (journal != null) {
      journal.close();
    }
    processMeters.close();
    infrastructure.close();
    if (up != null) {
      LOG.info("soma-resilience stopped ({})", up);
    }
  }

  /** This process, as the JVM names it (pid-host), for lease owners and client ids. */
  public static String processName() {
    return ProcessName.get();
  }
}
