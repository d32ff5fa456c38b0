package dev.soma.resilience.api;

import dev.soma.resilience.config.Secret;
import dev.soma.resilience.failover.chain.ChainReport;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * Operator endpoints under {@code /admin}, behind the admin credential ({@link AdminCredential}:
 * {@code SA01_ADMIN_TOKEN}, separate from every tenant key): tenants and their keys ({@link
 * TenantAdminRoutes}), dead letters ({@link DeadLetterAdminRoutes}), and the outbox's inspection,
 * replays and audit trail ({@link OutboxAdminRoutes}). Without a configured token these endpoints
 * answer 403. Every change says who acts ({@link Operator}: 400 without) and is audited in the
 * transaction that makes it. The circuit breakers: {@link BreakerAdminRoutes}; the feature flags:
 * {@link FlagAdminRoutes}. {@code GET /admin/failovers}: this process's failover counters ({@link
 * ChainReport#failoverCounts}), as {@code /metrics} has them, in JSON for the status page.
 */
final class AdminRoutes {

  private final AdminCredential credential;
  private final TenantAdminRoutes tenants;
  private final DeadLetterAdminRoutes deadLetters;
  private final OutboxAdminRoutes outbox;
  private final BreakerAdminRoutes breakers;
  private final FlagAdminRoutes flags;
  private final MeterRegistry registry;

  AdminRoutes(
      Secret adminToken,
      TenantAdminRoutes tenants,
      DeadLetterAdminRoutes deadLetters,
      OutboxAdminRoutes outbox,
      BreakerAdminRoutes breakers,
      FlagAdminRoutes flags,
      MeterRegistry registry) {
    this.credential = new AdminCredential(adminToken);
    this.tenants = tenants;
    this.deadLetters = deadLetters;
    this.outbox = outbox;
    this.breakers = breakers;
    this.flags = flags;
    this.registry = registry;
  }

  void mount(Router router) {
    router.route("/admin/*").handler(credential);
    tenants.mount(router);
    deadLetters.mount(router);
    outbox.mount(router);
    breakers.mount(router);
    flags.mount(router);
    router
        .get("/admin/failovers")
        .handler(QueryParams.only())
        .handler(
            ctx ->
                ctx.json(new JsonObject().put("failovers", ChainReport.failoverCounts(registry))));
  }
}
