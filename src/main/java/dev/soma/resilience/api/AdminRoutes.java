package dev.soma.resilience.api;

import static dev.soma.resilience.api.OutboxAdminRoutes.answer;

import dev.soma.resilience.common.http.Problem;
import dev.soma.resilience.config.Secret;
import dev.soma.resilience.failover.chain.ChainReport;
import dev.soma.resilience.tenant.Tenants;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * Operator endpoints under {@code /admin}, behind the admin credential ({@code SA01_ADMIN_TOKEN}),
 * which is separate from every tenant key: tenants and their keys, dead letters ({@link
 * DeadLetterAdminRoutes}), and the outbox's inspection, replays and audit trail ({@link
 * OutboxAdminRoutes}). Without a configured token these endpoints answer 403. Every change says who
 * acts ({@link Operator}: 400 without) and is audited in the transaction that makes it. The circuit
 * breakers: {@link BreakerAdminRoutes}; the feature flags: {@link FlagAdminRoutes}. {@code GET
 * /admin/failovers}: this process's failover counters ({@link ChainReport#failoverCounts}), as
 * {@code /metrics} has them, in JSON for the status page.
 */
final class AdminRoutes {

  private final Secret adminToken;
  private final Tenants tenants;
  private final DeadLetterAdminRoutes deadLetters;
  private final OutboxAdminRoutes outbox;
  private final BreakerAdminRoutes breakers;
  private final FlagAdminRoutes flags;
  private final MeterRegistry registry;

  AdminRoutes(
      Secret adminToken,
      Tenants tenants,
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
    router.post("/admin/tenants").handler(this::createTenant);
    router.post("/admin/tenants/:tenantId/keys").handler(this::createKey);
    router.delete("/admin/keys/:keyId").handler(this::revokeKey);
    deadLetters.mount(router);
    outbox.mount(router);
    breakers.mount(router);
    flags.mount(router);
    router
        .get("/admin/failovers")
        .handler(
            ctx -> {
              QueryParams.known(ctx, Set.of());
              ctx.json(new JsonObject().put("failovers", ChainReport.failoverCounts(registry)));
            });
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

  private void createTenant(RoutingContext ctx) {
    JsonBody body = JsonBody.parse(ctx.body().buffer(), Set.of("id", "name", Operator.FIELD));
    String id = body.requiredString("id", 63);
    if (!Tenants.isValidId(id)) {
      throw Problem.badRequest(
          "'id' must be 1-63 characters of [a-z0-9._-], starting with a letter or digit");
    }
    String name = body.optionalString("name", Tenants.NAME_MAX);
    answer(ctx, 201, tenants.create(id, name, Operator.of(ctx, body)));
  }

  private void createKey(RoutingContext ctx) {
    JsonBody body = JsonBody.parseIfAny(ctx.body().buffer(), Set.of("label", Operator.FIELD));
    String label = body == null ? "" : body.optionalString("label", Tenants.NAME_MAX);
    String operator = Operator.of(ctx, body);
    answer(ctx, 201, tenants.createKey(ctx.pathParam("tenantId"), label, operator));
  }

  private void revokeKey(RoutingContext ctx) {
    tenants
        .revokeKey(ctx.pathParam("keyId"), Operator.of(ctx, null))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                answer(ctx, 204, Future.failedFuture(ar.cause()));
              } else {
                ctx.response().setStatusCode(204).end();
              }
            });
  }
}
