package dev.soma.resilience;

import dev.soma.resilience.api.AgentApi;
import dev.soma.resilience.api.ApiDocs;
import dev.soma.resilience.api.RouteModule;
import dev.soma.resilience.api.StatusPage;
import dev.soma.resilience.config.NodeRole;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.degradation.DegradationStatusView;
import dev.soma.resilience.failover.storage.StorageFailoverVerticle;
import dev.soma.resilience.journal.Journal;
import dev.soma.resilience.journal.JournalMetrics;
import dev.soma.resilience.journal.JournalReplay;
import dev.soma.resilience.journal.JournaledWrites;
import dev.soma.resilience.memory.Memories;
import dev.soma.resilience.session.SessionContext;
import dev.soma.resilience.tenant.KeyCache;
import dev.soma.resilience.tenant.RateLimit;
import dev.soma.resilience.tenant.RateLimiter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The {@code api} role, as {@link RoleDeployment} deploys it: the agent API's stateful parts
 * (session store, memory service and its SomaBrain breaker, status view, key cache, rate limiter)
 * built here once and shared by every HTTP instance, its routes, and the verticles it needs beside
 * the HTTP one (key recheck, journal replay, the storage chain). The role runs on {@code parts},
 * journaling into {@code journal} (null: none).
 */
record ApiRole(ServiceConfig config, NodeParts parts, Journal journal) {

  /** API keys remembered per process (tenants' keys in use; more are read on every request). */
  static final int KEY_CACHE_CAPACITY = 100_000;

  /**
   * Builds the role's parts; adds its routes to {@code routes}, its deployments to {@code steps}.
   */
  void plan(
      DegradationStatusView status,
      Memories memories,
      JournaledWrites writes,
      List<RouteModule> routes,
      List<Supplier<Future<?>>> steps) {
    Vertx vertx = parts.vertx();
    KeyCache keys = new KeyCache(Clock.systemUTC(), config.api().keyGrace(), KEY_CACHE_CAPACITY);
    AgentApi.Parts api =
        new AgentApi.Parts(
            parts.pool(),
            parts.keeper(),
            parts.outbox(),
            SessionContext.create(vertx, config.redisUrl(), config.session()),
            memories.service(),
            status,
            parts.breakers(),
            parts.flags(),
            keys,
            journal,
            rateLimiter());
    AgentApi agentApi = new AgentApi(vertx, config, api, parts.registry());
    JournalReplay replay = agentApi.journalReplay(api, config.journal());
    JournalMetrics.register(parts.registry(), journal, replay);
    steps.add(() -> vertx.deployVerticle(keys.recheck(parts.pool(), config.api().keyRecheck())));
    steps.add(() -> vertx.deployVerticle(replay));
    // its spooled uploads are files of this node: the chain that stores them runs here
    steps.add(
        () ->
            vertx.deployVerticle(
                new StorageFailoverVerticle(
                    config.storage(),
                    parts.pool(),
                    writes,
                    parts.outbox(),
                    parts.registry(),
                    Clock.systemUTC(),
                    parts.breakers())));
    routes.addAll(
        List.of(agentApi, new ApiDocs(), new StatusPage(status, Optional.ofNullable(journal))));
  }

  /**
   * Every tenant's rate limit: in Redis, shared by the cluster, when {@code SA01_REDIS_URL} is set;
   * while Redis does not answer, each node applies the limit divided by the live nodes.
   */
  private RateLimiter rateLimiter() {
    return RateLimiter.forProcess(
        parts.vertx(),
        config.redisUrl(),
        new RateLimit(config.api().rateLimitPerSecond(), config.api().rateLimitBurst()),
        () -> parts.cluster().running(NodeRole.API),
        config.api().rateLimitRedisTimeout(),
        parts.registry());
  }
}
