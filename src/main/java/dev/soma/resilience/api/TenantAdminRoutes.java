package dev.soma.resilience.api;

import static dev.soma.resilience.api.AdminAnswer.answer;
import static dev.soma.resilience.api.AdminAnswer.badInput;

import dev.soma.resilience.common.http.Problem;
import dev.soma.resilience.tenant.TenantDirectory;
import dev.soma.resilience.tenant.Tenants;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * Tenants and their API keys under {@code /admin}: create a tenant, create and revoke a key (each
 * audited, {@link Tenants}), and list tenants and a tenant's keys ({@link TenantDirectory}: never a
 * secret; a key's id is what revoking takes).
 */
final class TenantAdminRoutes {

  private final Tenants tenants;
  private final TenantDirectory directory;

  TenantAdminRoutes(Tenants tenants, TenantDirectory directory) {
    this.tenants = tenants;
    this.directory = directory;
  }

  void mount(Router router) {
    router
        .get("/admin/tenants")
        .handler(QueryParams.only("cursor", "limit"))
        .handler(this::listTenants);
    router.post("/admin/tenants").handler(QueryParams.only()).handler(this::createTenant);
    router
        .get("/admin/tenants/:tenantId/keys")
        .handler(QueryParams.only("cursor", "limit"))
        .handler(this::listKeys);
    router
        .post("/admin/tenants/:tenantId/keys")
        .handler(QueryParams.only())
        .handler(this::createKey);
    router.delete("/admin/keys/:keyId").handler(QueryParams.only()).handler(this::revokeKey);
  }

  private void listTenants(RoutingContext ctx) {
    String cursor = QueryParams.nonEmpty(ctx, "cursor");
    int limit = QueryParams.limit(ctx, TenantDirectory.PAGE_MAX);
    answer(ctx, 200, badInput(() -> directory.tenants(cursor, limit)));
  }

  private void listKeys(RoutingContext ctx) {
    String cursor = QueryParams.nonEmpty(ctx, "cursor");
    int limit = QueryParams.limit(ctx, TenantDirectory.PAGE_MAX);
    answer(ctx, 200, badInput(() -> directory.keys(ctx.pathParam("tenantId"), cursor, limit)));
  }

  private void createTenant(RoutingContext ctx) {
    JsonBody body = JsonBody.parse(ctx.body().buffer(), Set.of("id", "name", Operator.FIELD));
    String id = body.requiredString("id", 63);
    if (!Tenants.isValidId(id)) {
      throw Problem.badRequest(
          "'id' must be 1-63 characters of [a-z0-9._-], starting with a letter or digit");
    }
    String name = body.optionalLine("name", Tenants.NAME_MAX);
    answer(ctx, 201, tenants.create(id, name, Operator.of(ctx, body)));
  }

  private void createKey(RoutingContext ctx) {
    JsonBody body = JsonBody.parseIfAny(ctx.body().buffer(), Set.of("label", Operator.FIELD));
    String label = body == null ? "" : body.optionalLine("label", Tenants.NAME_MAX);
    String operator = Operator.of(ctx, body);
    answer(ctx, 201, tenants.createKey(ctx.pathParam("tenantId"), label, operator));
  }

  private void revokeKey(RoutingContext ctx) {
    AdminAnswer.noContent(ctx, tenants.revokeKey(ctx.pathParam("keyId"), Operator.of(ctx, null)));
  }
}
