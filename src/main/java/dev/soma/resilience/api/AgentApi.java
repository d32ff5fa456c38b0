package dev.soma.resilience.api;

import dev.soma.resilience.chat.AgentTurns;
import dev.soma.resilience.config.ApiConfig;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.degradation.DegradationStatusView;
import dev.soma.resilience.failover.breaker.CircuitBreakers;
import dev.soma.resilience.failover.storage.UploadSpool;
import dev.soma.resilience.idempotency.IdempotentRequests;
import dev.soma.resilience.memory.MemoryService;
import dev.soma.resilience.memory.PendingMemories;
import dev.soma.resilience.memory.SomaBrainClient;
import dev.soma.resilience.outbox.DeadLetters;
import dev.soma.resilience.outbox.Outbox;
import dev.soma.resilience.session.SessionContext;
import dev.soma.resilience.tenant.RateLimiter;
import dev.soma.resilience.tenant.Tenants;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The agent API's routes: {@code /v1/*} for tenants (API key, rate limit, backlog gate) and {@code
 * /admin/*} for operators. Bodies over {@code maxBodyBytes} get 413.
 */
public final class AgentApi implements RouteModule {

  private final Pool pool;
  private final Outbox outbox;
  private final ServiceConfig service;
  private final ApiConfig config;
  private final MeterRegistry registry;
  // shared by every HTTP verticle instance, so a tenant's limit holds per node
  private final RateLimiter limiter;
  // each HTTP verticle instance's status view, summed by the subscriber gauge
  private final List<DegradationStatusView> statusViews = new CopyOnWriteArrayList<>();

  public AgentApi(Pool pool, Outbox outbox, ServiceConfig service, MeterRegistry registry) {
    this.pool = pool;
    this.outbox = outbox;
    this.service = service;
    this.config = service.api();
    this.registry = registry;
    this.limiter =
        new RateLimiter(config.rateLimitPerSecond(), config.rateLimitBurst(), Clock.systemUTC());
    Gauge.builder(
            "api.status.subscribers",
            statusViews,
            views -> views.stream().mapToInt(DegradationStatusView::listenerCount).sum())
        .description("Open WebSockets and SSE chat streams that are pushed status changes")
        .strongReference(true)
        .register(registry);
  }

  private SessionContext sessionContext(Vertx vertx) {
    Optional<RedisAPI> redis =
        service
            .redisUrl()
            .map(
                url ->
                    RedisAPI.api(
                        Redis.createClient(
                            vertx,
                            new RedisOptions()
                                .setConnectionString(url.toString())
                                .setMaxPoolWaiting(1000))));
    return new SessionContext(
        redis,
        service.session().maxTurns(),
        service.session().ttl(),
        service.session().maxLocalSessions(),
        Clock.systemUTC());
  }

  private MemoryService memoryService(Vertx vertx, DegradationStatusView status) {
    Optional<SomaBrainClient> somabrain =
        service
            .somabrainUrl()
            .map(
                url ->
                    new SomaBrainClient(
                        WebClient.create(vertx),
                        url,
                        service.memory().somabrainToken(),
                        service.memory().requestTimeout()));
    CircuitBreakers breakers =
        new CircuitBreakers(
            Clock.systemUTC(), service.memory().breaker(), Map.of(), registry, transition -> {});
    return new MemoryService(
        vertx,
        new PendingMemories(pool),
        somabrain,
        service.memory(),
        breakers,
        () -> status.isUsable(MemoryService.DEPENDENCY));
  }

  @Override
  public void mount(Vertx vertx, Router router) {
    Tenants tenants = new Tenants(pool);
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(config.maxBodyBytes());
    BodyHandler media = BodyHandler.create(false).setBodyLimit(config.maxUploadBytes());
    router.routeWithRegex("/v1/(uploads/.*|transcriptions)").handler(media);
    router.routeWithRegex("/v1/(?!uploads/|transcriptions$|ws$).*").handler(bodies);
    router.route("/admin/*").handler(bodies);
    router.route("/v1/*").handler(new TenantGate(vertx, tenants, limiter, config.backlogLimit()));
    IdempotentRequests requests =
        new IdempotentRequests(
            pool,
            Duration.ofHours(service.idempotency().retentionHours()),
            config.idempotencyAbandonAfter(),
            Clock.systemUTC());
    IdempotentCreate create = new IdempotentCreate(pool, outbox, requests);
    SessionContext sessions = sessionContext(vertx);
    new ConversationRoutes(pool, outbox, create, sessions).mount(router);
    DegradationStatusView status = DegradationStatusView.open(vertx, Duration.ofSeconds(2));
    statusViews.add(status);
    MemoryService memories = memoryService(vertx, status);
    new MemoryRoutes(memories, create, sessions).mount(router);
    new ChatRoutes(
            new AgentTurns(
                vertx, pool, outbox, memories, sessions, status, service.llm().deadline()),
            requests,
            status)
        .mount(router);
    new MediaRoutes(
            vertx,
            service,
            new UploadSpool(
                service.storage().spoolDir(), vertx.createSharedWorkerExecutor("upload-spool", 2)))
        .mount(router);
    new AdminRoutes(config.adminToken(), tenants, new DeadLetters(pool, outbox)).mount(router);
  }
}
