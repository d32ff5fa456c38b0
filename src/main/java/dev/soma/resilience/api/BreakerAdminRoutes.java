package dev.soma.resilience.api;

import dev.soma.resilience.breaker.BreakerAddresses;
import dev.soma.resilience.breaker.BreakerId;
import dev.soma.resilience.breaker.BreakerOverride;
import dev.soma.resilience.breaker.BreakerOverrides;
import dev.soma.resilience.breaker.BreakerPanel;
import dev.soma.resilience.breaker.BreakerView;
import dev.soma.resilience.breaker.CircuitBreakers;
import dev.soma.resilience.common.http.Problem;
import dev.soma.resilience.tenant.Tenants;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.Set;

/**
 * The operators' breaker endpoints, mounted behind {@link AdminRoutes}' credential check: {@code
 * GET /admin/breakers} lists this process's breakers (state, since when, failures counted,
 * override) and {@code POST /admin/breakers/{dependency}/force-open|force-closed|release[?tenant=]}
 * sets or lifts an operator's override. A change is stored, audited and announced to every process
 * in one transaction ({@link BreakerOverrides}); this process applies it before answering, the
 * others within a {@code NOTIFY} round trip. Who acts comes from {@code X-Operator} or the body's
 * {@code operator}, like the outbox replays; a dependency this process has no breaker for is a 404.
 */
final class BreakerAdminRoutes {

  private static final Set<String> FIELDS = Set.of("reason", "operator");

  private final Vertx vertx;
  private final BreakerPanel panel;
  private final BreakerOverrides overrides;

  BreakerAdminRoutes(Vertx vertx, BreakerPanel panel, BreakerOverrides overrides) {
    this.vertx = vertx;
    this.panel = panel;
    this.overrides = overrides;
  }

  void mount(Router router) {
    router.get("/admin/breakers").handler(QueryParams.only()).handler(this::list);
    router
        .post("/admin/breakers/:dependency/force-open")
        .handler(QueryParams.only("tenant"))
        .handler(ctx -> change(ctx, Optional.of(BreakerOverride.Mode.FORCED_OPEN)));
    router
        .post("/admin/breakers/:dependency/force-closed")
        .handler(QueryParams.only("tenant"))
        .handler(ctx -> change(ctx, Optional.of(BreakerOverride.Mode.FORCED_CLOSED)));
    router
        .post("/admin/breakers/:dependency/release")
        .handler(QueryParams.only("tenant"))
        .handler(ctx -> change(ctx, Optional.empty()));
  }

  private void list(RoutingContext ctx) {
    JsonArray breakers = new JsonArray();
    panel.breakers().forEach(view -> breakers.add(view.toJson()));
    ctx.response()
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("breakers", breakers).encode());
  }

  private void change(RoutingContext ctx, Optional<BreakerOverride.Mode> mode) {
    BreakerId id = id(ctx);
    JsonBody body = JsonBody.parseIfAny(ctx.body().buffer(), FIELDS);
    String operator = Operator.of(ctx, body);
    String reason = body == null ? null : body.optionalLine("reason", 2000);
    Future<?> stored =
        mode.isPresent()
            ? overrides.force(id, mode.get(), operator, reason)
            : overrides.release(id, operator, reason);
    AppliedChange.answer(
        ctx,
        vertx,
        BreakerAddresses.RELOAD,
        stored,
        () ->
            panel
                .breaker(id)
                .map(BreakerView::toJson)
                .orElseGet(() -> new JsonObject().put("dependency", id.dependency())));
  }

  private BreakerId id(RoutingContext ctx) {
    String dependency = ctx.pathParam("dependency");
    if (!panel.knows(dependency)) {
      throw Problem.notFound(
          "no breaker for dependency '"
              + StoredText.clip(dependency, 64)
              + "' on this process; it has: "
              + String.join(", ", panel.dependencies()));
    }
    String tenant = ctx.queryParams().get("tenant");
    if (tenant == null) {
      return BreakerId.of(dependency);
    }
    if (ctx.queryParams().getAll("tenant").size() > 1 || !Tenants.isValidId(tenant)) {
      throw Problem.badRequest(
          "'tenant' must be one tenant id (1-63 characters of [a-z0-9._-]); leave it out for the"
              + " dependency's own breaker ("
              + CircuitBreakers.ALL_TENANTS
              + ")");
    }
    return new BreakerId(dependency, tenant);
  }
}
