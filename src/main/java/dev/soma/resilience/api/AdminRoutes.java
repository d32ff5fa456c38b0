package dev.soma.resilience.api;

import dev.soma.resilience.common.http.Problem;
import dev.soma.resilience.config.Secret;
import dev.soma.resilience.failover.chain.ChainReport;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Operator endpoints under {@code /admin}, behind the admin credential ({@code SA01_ADMIN_TOKEN}),
 * which is separate from every tenant key: tenants and their keys ({@link TenantAdminRoutes}), dead
 * letters ({@link DeadLetterAdminRoutes}), and the outbox's inspection, replays and audit trail
 * ({@link OutboxAdminRoutes}). Without a configured token these endpoints answer 403. Every change
 * says who acts ({@link Operator}: 400 without) and is audited in the transaction that makes it.
 * The circuit breakers: {@link BreakerAdminRoutes}; the feature flags: {@link FlagAdminRoutes}.
 * {@code GET /admin/failovers}: this process's failover counters ({@link
 * ChainReport#failoverCounts}), as {@code /metrics} has them, in JSON for the status page.
 */
final class AdminRoutes {

  private final Secret adminToken;
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
    this.adminToken = adminToken;
    this.tenants = tenants;
    this.deadLetters = deadLetters;
    this.outbox = outbox;
    this.breakers = breakers;
    this.flags = flags;
    this.registry = registry;
  }

  void mount(Router router) {
    router.route("/admin/*").handler(this::authorize);
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

  private void authorize(RoutingContext ctx) {
    if (!adminToken.isSet()) {
      ctx.fail(Problem.forbidden("admin endpoints are disabled: set SA01_ADMIN_TOKEN"));
      return;
    }
    String authorization = ctx.request().getHeader("Authorization");
    String presented =
        authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
            ? authorization.substring(7).trim()
            : null;
    if (!adminToken.matches(presented)) {
      ctx.fail(Problem.unauthorized("send the admin token as 'Authorization: Bearer <token>'"));
      return;
    }
    ctx.next();
  }
}
