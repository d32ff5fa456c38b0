package dev.soma.resilience.api;

import dev.soma.resilience.common.http.Problem;
import dev.soma.resilience.flags.FeatureFlag;
import dev.soma.resilience.flags.FeatureFlags;
import dev.soma.resilience.flags.FlagAddresses;
import dev.soma.resilience.flags.FlagBook;
import dev.soma.resilience.flags.FlagRule;
import dev.soma.resilience.flags.Verdict;
import dev.soma.resilience.tenant.Tenants;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;

/**
 * The operators' feature-flag endpoints, mounted behind {@link AdminRoutes}' credential check:
 * {@code GET /admin/flags} lists every known flag with its rule in force on this process (or its
 * default), {@code GET /admin/flags/{name}} one of them, {@code PUT /admin/flags/{name}} stores a
 * rule ({@code allow}, {@code deny}, {@code percentage}, {@code reason}; who acts from {@code
 * X-Operator} or {@code operator}), {@code DELETE /admin/flags/{name}} puts the flag back to its
 * default, and {@code GET /admin/flags/{name}/tenants/{tenantId}} says whether it is on for one
 * tenant and why. A change is stored, audited and announced to every process in one transaction
 * ({@link FeatureFlags}); this process applies it before answering, the others within a {@code
 * NOTIFY} round trip. An unknown flag is a 404 naming the known ones.
 */
final class FlagAdminRoutes {

  private static final Set<String> FIELDS =
      Set.of("allow", "deny", "percentage", "reason", Operator.FIELD);

  private final Vertx vertx;
  private final FlagBook book;
  private final FeatureFlags store;

  FlagAdminRoutes(Vertx vertx, FlagBook book, FeatureFlags store) {
    this.vertx = vertx;
    this.book = book;
    this.store = store;
  }

  void mount(Router router) {
    router.get("/admin/flags").handler(QueryParams.only()).handler(this::list);
    router
        .get("/admin/flags/:name")
        .handler(QueryParams.only())
        .handler(ctx -> json(ctx, entry(flag(ctx))));
    router.put("/admin/flags/:name").handler(QueryParams.only()).handler(this::set);
    router.delete("/admin/flags/:name").handler(QueryParams.only()).handler(this::clear);
    router
        .get("/admin/flags/:name/tenants/:tenantId")
        .handler(QueryParams.only())
        .handler(this::check);
  }

  private void list(RoutingContext ctx) {
    JsonArray flags = new JsonArray();
    for (FeatureFlag flag : FeatureFlag.values()) {
      flags.add(entry(flag));
    }
    json(ctx, new JsonObject().put("flags", flags));
  }

  private void set(RoutingContext ctx) {
    FeatureFlag flag = flag(ctx);
    JsonBody body = JsonBody.parse(ctx.body().buffer(), FIELDS);
    String operator = Operator.of(ctx, body);
    FlagRule rule;
    try {
      rule =
          new FlagRule(
              new TreeSet<>(body.optionalStrings("allow", FlagRule.MAX_LISTED, 63)),
              new TreeSet<>(body.optionalStrings("deny", FlagRule.MAX_LISTED, 63)),
              required(body, "percentage"),
              operator,
              body.optionalLine("reason", 2000),
              Instant.EPOCH);
    } catch (IllegalArgumentException e) {
      throw Problem.badRequest(e.getMessage());
    }
    changed(ctx, flag, store.set(flag, rule));
  }

  private void clear(RoutingContext ctx) {
    FeatureFlag flag = flag(ctx);
    JsonBody body = JsonBody.parseIfAny(ctx.body().buffer(), Set.of("reason", Operator.FIELD));
    String operator = Operator.of(ctx, body);
    String reason = body == null ? null : body.optionalLine("reason", 2000);
    changed(ctx, flag, store.clear(flag, operator, reason));
  }

  private void check(RoutingContext ctx) {
    FeatureFlag flag = flag(ctx);
    String tenant = ctx.pathParam("tenantId");
    if (!Tenants.isValidId(tenant)) {
      throw Problem.badRequest("'tenantId' must be a tenant id (1-63 characters of [a-z0-9._-])");
    }
    Verdict verdict = book.verdict(flag, tenant);
    json(ctx, verdict.toJson().put("name", flag.wire()).put("tenant", tenant));
  }

  /** Answers with the flag as in force here once this process applied the stored change. */
  private void changed(RoutingContext ctx, FeatureFlag flag, Future<?> stored) {
    AppliedChange.answer(ctx, vertx, FlagAddresses.RELOAD, stored, () -> entry(flag));
  }

  private JsonObject entry(FeatureFlag flag) {
    return new JsonObject()
        .put("name", flag.wire())
        .put("meaning", flag.meaning())
        .put("defaultOn", flag.defaultOn())
        .put("rule", book.rule(flag).map(FlagRule::toJson).orElse(null));
  }

  private static int required(JsonBody body, String field) {
    body.requiredValue(field);
    return body.intIn(field, 0, 100, 0);
  }

  private static FeatureFlag flag(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    return FeatureFlag.named(name)
        .orElseThrow(
            () ->
                Problem.notFound(
                    "no flag named '"
                        + StoredText.clip(name, 64)
                        + "'; the known flags: "
                        + String.join(", ", FeatureFlag.names())));
  }

  private static void json(RoutingContext ctx, JsonObject body) {
    ctx.response().putHeader("Content-Type", "application/json").end(body.encode());
  }
}
