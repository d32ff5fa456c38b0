package dev.soma.resilience.api;

import dev.soma.resilience.common.http.Problem;
import dev.soma.resilience.config.Secret;
import dev.soma.resilience.outbox.DeadLetters;
import dev.soma.resilience.tenant.Tenants;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * Operator endpoints under {@code /admin}, behind the admin credential ({@code SA01_ADMIN_TOKEN}),
 * which is separate from every tenant key: tenants, their keys, dead letters, and the outbox's
 * inspection, replays and audit trail ({@link OutboxAdminRoutes}), the circuit breakers ({@link
 * BreakerAdminRoutes}). Without a configured token these endpoints answer 403.
 */
final class AdminRoutes {

  private final Secret adminToken;
  private final Tenants tenants;
  private final DeadLetters deadLetters;
  private final OutboxAdminRoutes outbox;
  private final BreakerAdminRoutes breakers;

  AdminRoutes(
      Secret adminToken,
      Tenants tenants,
      DeadLetters deadLetters,
      OutboxAdminRoutes outbox,
      BreakerAdminRoutes breakers) {
    this.adminToken = adminToken;
    this.tenants = tenants;
    this.deadLetters = deadLetters;
    this.outbox = outbox;
    this.breakers = breakers;
  }

  void mount(Router router) {
    router.route("/admin/*").handler(this::authorize);
    router.post("/admin/tenants").handler(this::createTenant);
    router.post("/admin/tenants/:tenantId/keys").handler(this::createKey);
    router.delete("/admin/keys/:keyId").handler(this::revokeKey);
    router.get("/admin/dead-letters").handler(this::listDeadLetters);
    router.post("/admin/dead-letters/:id/replay").handler(this::replay);
    outbox.mount(router);
    breakers.mount(router);
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
    JsonBody body = JsonBody.parse(ctx.body().buffer(), Set.of("id", "name"));
    String id = body.requiredString("id", 63);
    if (!Tenants.isValidId(id)) {
      throw Problem.badRequest(
          "'id' must be 1-63 characters of [a-z0-9._-], starting with a letter or digit");
    }
    String name = body.optionalString("name", 200);
    answer(ctx, 201, tenants.create(id, name));
  }

  private void createKey(RoutingContext ctx) {
    JsonBody body =
        ctx.body().buffer() == null || ctx.body().buffer().length() == 0
            ? null
            : JsonBody.parse(ctx.body().buffer(), Set.of("label"));
    String label = body == null ? "" : body.optionalString("label", 200);
    answer(ctx, 201, tenants.createKey(ctx.pathParam("tenantId"), label, "admin-api"));
  }

  private void revokeKey(RoutingContext ctx) {
    tenants
        .revokeKey(ctx.pathParam("keyId"), "admin-api")
        .onComplete(
            ar -> {
              if (ar.failed()) {
                fail(ctx, ar.cause());
              } else {
                ctx.response().setStatusCode(204).end();
              }
            });
  }

  private void listDeadLetters(RoutingContext ctx) {
    String tenant = ctx.queryParams().get("tenant");
    boolean all = "true".equals(ctx.queryParams().get("all"));
    int limit = QueryLimit.of(ctx, 500);
    answer(
        ctx,
        200,
        deadLetters
            .list(tenant, all, limit)
            .map(letters -> new JsonObject().put("deadLetters", new JsonArray(letters))));
  }

  private void replay(RoutingContext ctx) {
    long id;
    try {
      id = Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      throw Problem.badRequest("the dead letter id must be a number");
    }
    JsonBody body =
        ctx.body().buffer() == null || ctx.body().buffer().length() == 0
            ? null
            : JsonBody.parse(ctx.body().buffer(), Set.of("notes"));
    String notes = body == null ? null : body.optionalString("notes", 2000);
    answer(
        ctx,
        202,
        deadLetters
            .replay(id, "admin-api", notes)
            .map(v -> new JsonObject().put("id", id).put("status", "replayed")));
  }

  private static void answer(RoutingContext ctx, int status, Future<JsonObject> result) {
    result.onComplete(
        ar -> {
          if (ar.failed()) {
            fail(ctx, ar.cause());
          } else {
            ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(ar.result().encode());
          }
        });
  }

  private static void fail(RoutingContext ctx, Throwable error) {
    if (error instanceof NoSuchElementException) {
      ctx.fail(Problem.notFound(error.getMessage()));
    } else if (error instanceof IllegalArgumentException) {
      ctx.fail(Problem.conflict(error.getMessage()));
    } else {
      ctx.fail(error);
    }
  }
}
