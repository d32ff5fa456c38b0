package dev.soma.resilience.api;

import dev.soma.resilience.common.audit.AdminAudit;
import dev.soma.resilience.common.http.Problem;
import dev.soma.resilience.outbox.OutboxFilter;
import dev.soma.resilience.outbox.OutboxInspection;
import dev.soma.resilience.outbox.OutboxReplay;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The operators' outbox endpoints, mounted behind {@link AdminRoutes}' credential check: the list
 * ({@code GET /admin/outbox/events}), the per-tenant summary, replays by id and by filter, and the
 * audit trail. A bad filter value, cursor or body field is a 400 naming it. A replay needs to know
 * who acts: the {@code X-Operator} header or the body's {@code operator} (400 without either); the
 * admin credential itself names nobody.
 */
final class OutboxAdminRoutes {

  static final String OPERATOR_HEADER = "X-Operator";
  private static final int MAX_LIST = 500;
  private static final int DEFAULT_LIST = 100;
  private static final Set<String> REPLAY_FIELDS = Set.of("ids", "dryRun", "reason", "operator");

  private final OutboxInspection inspection;
  private final OutboxReplay replay;
  private final AdminAudit audit;

  OutboxAdminRoutes(OutboxInspection inspection, OutboxReplay replay, AdminAudit audit) {
    this.inspection = inspection;
    this.replay = replay;
    this.audit = audit;
  }

  void mount(Router router) {
    router.get("/admin/outbox/events").handler(this::list);
    router.get("/admin/outbox/summary").handler(this::summary);
    router.post("/admin/outbox/replay").handler(this::replayIds);
    router.post("/admin/outbox/replay/tenant").handler(this::replayTenant);
    router.get("/admin/audit").handler(this::audit);
  }

  private void list(RoutingContext ctx) {
    OutboxFilter filter = filter(name -> query(ctx, name));
    String cursor = query(ctx, "cursor");
    answer(ctx, 200, badInput(() -> inspection.list(filter, cursor, limit(ctx))));
  }

  private void summary(RoutingContext ctx) {
    answer(ctx, 200, inspection.summary());
  }

  private void replayIds(RoutingContext ctx) {
    JsonBody body = JsonBody.parse(ctx.body().buffer(), REPLAY_FIELDS);
    Set<Long> ids = ids(body.requiredValue("ids"));
    AdminAudit.Entry entry = entry(ctx, body, "outbox.replay");
    answer(
        ctx,
        200,
        replay
            .replayIds(ids, Boolean.TRUE.equals(body.optionalBoolean("dryRun")), entry)
            .map(OutboxReplay.Result::toJson));
  }

  private void replayTenant(RoutingContext ctx) {
    Set<String> fields =
        Stream.concat(REPLAY_FIELDS.stream(), OutboxFilter.FIELDS.stream())
            .filter(f -> !f.equals("ids") && !f.equals("tenant"))
            .collect(Collectors.toSet());
    fields.add("tenantId");
    JsonBody body = JsonBody.parse(ctx.body().buffer(), fields);
    String tenant = body.requiredString("tenantId", OutboxFilter.MAX_TEXT);
    OutboxFilter filter =
        filter(
            name ->
                name.equals("tenant") ? tenant : body.optionalString(name, OutboxFilter.MAX_TEXT));
    AdminAudit.Entry entry = entry(ctx, body, "outbox.replay.tenant");
    answer(
        ctx,
        200,
        badInput(
            () ->
                replay
                    .replayMatching(
                        filter, Boolean.TRUE.equals(body.optionalBoolean("dryRun")), entry)
                    .map(OutboxReplay.Result::toJson)));
  }

  private void audit(RoutingContext ctx) {
    String cursor = query(ctx, "cursor");
    answer(ctx, 200, badInput(() -> audit.list(cursor, limit(ctx))));
  }

  /** Who acts, and the request as sent (for the audit row). */
  private static AdminAudit.Entry entry(RoutingContext ctx, JsonBody body, String action) {
    String operator = operator(ctx, body);
    String reason = body.optionalString("reason", 2000);
    JsonObject request = ctx.body().asJsonObject().copy();
    request.remove("ids");
    if (reason != null) {
      request.put("reason", reason);
    }
    return new AdminAudit.Entry(operator, action, request, 0, false);
  }

  /**
   * Who acts: the {@code X-Operator} header, else the body's {@code operator} ({@code body} may be
   * null); a 400 {@link Problem} without either. Shared by every admin action that is audited.
   */
  static String operator(RoutingContext ctx, JsonBody body) {
    String operator = ctx.request().getHeader(OPERATOR_HEADER);
    if ((operator == null || operator.isBlank()) && body != null) {
      operator = body.optionalString("operator", 200);
    }
    if (operator == null || operator.isBlank() || operator.length() > 200) {
      throw Problem.badRequest(
          "say who is acting: the '"
              + OPERATOR_HEADER
              + "' header or the body's 'operator' (1-200 characters)");
    }
    return operator.trim();
  }

  private static OutboxFilter filter(Function<String, String> field) {
    try {
      return OutboxFilter.parse(field);
    } catch (IllegalArgumentException e) {
      throw Problem.badRequest(e.getMessage());
    }
  }

  private static Set<Long> ids(Object value) {
    if (!(value instanceof JsonArray array) || array.isEmpty()) {
      throw Problem.badRequest("'ids' must be a non-empty array of outbox ids");
    }
    Set<Long> ids = new LinkedHashSet<>();
    for (Object id : array) {
      if (!(id instanceof Integer || id instanceof Long) || ((Number) id).longValue() < 1) {
        throw Problem.badRequest("'ids' must hold whole numbers of at least 1");
      }
      ids.add(((Number) id).longValue());
    }
    return ids;
  }

  private static String query(RoutingContext ctx, String name) {
    if (ctx.queryParams().getAll(name).size() > 1) {
      throw Problem.badRequest("'" + name + "' may be given once");
    }
    return ctx.queryParams().get(name);
  }

  private static int limit(RoutingContext ctx) {
    return ctx.queryParams().get("limit") == null ? DEFAULT_LIST : QueryLimit.of(ctx, MAX_LIST);
  }

  /**
   * A call that may refuse its input at once with {@link IllegalArgumentException}: a 400 then (a
   * failure it completes with later is about the rows, a 409: see {@link #answer}).
   */
  private static Future<JsonObject> badInput(Supplier<Future<JsonObject>> call) {
    try {
      return call.get();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(Problem.badRequest(e.getMessage()));
    }
  }

  private static void answer(RoutingContext ctx, int status, Future<JsonObject> result) {
    result.onComplete(
        ar -> {
          if (ar.failed()) {
            Throwable e = ar.cause();
            ctx.fail(
                e instanceof OutboxReplay.TooLarge
                    ? new Problem(
                        413, "urn:soma:problem:too-large", "Too many rows", e.getMessage())
                    : e instanceof IllegalArgumentException ? Problem.conflict(e.getMessage()) : e);
          } else {
            ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(ar.result().encode());
          }
        });
  }
}
