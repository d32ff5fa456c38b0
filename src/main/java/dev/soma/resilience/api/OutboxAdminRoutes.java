package dev.soma.resilience.api;

import static dev.soma.resilience.api.AdminAnswer.answer;
import static dev.soma.resilience.api.AdminAnswer.badInput;

import dev.soma.resilience.common.audit.AdminAudit;
import dev.soma.resilience.common.http.Problem;
import dev.soma.resilience.outbox.OutboxFilter;
import dev.soma.resilience.outbox.OutboxInspection;
import dev.soma.resilience.outbox.OutboxReplay;
import dev.soma.resilience.outbox.ReplayResult;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The operators' outbox endpoints, mounted behind {@link AdminRoutes}' credential check: the list
 * ({@code GET /admin/outbox/events}), the per-tenant summary, replays by id and by filter, and the
 * audit trail. A bad filter value, cursor or body field is a 400 naming it. A replay needs to know
 * who acts ({@link Operator}). Each answers as {@link AdminAnswer} says.
 */
final class OutboxAdminRoutes {

  private static final int MAX_LIST = 500;
  private static final int DEFAULT_LIST = 100;
  private static final Set<String> LIST_PARAMETERS =
      Stream.concat(OutboxFilter.FIELDS.stream(), Stream.of("cursor", "limit"))
          .collect(Collectors.toUnmodifiableSet());

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
    router
        .get("/admin/outbox/events")
        .handler(QueryParams.only(LIST_PARAMETERS))
        .handler(this::list);
    router.get("/admin/outbox/summary").handler(QueryParams.only()).handler(this::summary);
    router.post("/admin/outbox/replay").handler(QueryParams.only()).handler(this::replayIds);
    router
        .post("/admin/outbox/replay/tenant")
        .handler(QueryParams.only())
        .handler(this::replayTenant);
    router.get("/admin/audit").handler(QueryParams.only("cursor", "limit")).handler(this::audit);
  }

  private void list(RoutingContext ctx) {
    OutboxFilter filter = filter(name -> QueryParams.single(ctx, name));
    String cursor = QueryParams.single(ctx, "cursor");
    answer(ctx, 200, badInput(() -> inspection.list(filter, cursor, limit(ctx))));
  }

  private void summary(RoutingContext ctx) {
    answer(ctx, 200, inspection.summary());
  }

  private void replayIds(RoutingContext ctx) {
    JsonBody body = JsonBody.parse(ctx.body().buffer(), REPLAY_FIELDS);
    Set<Long> ids = ids(body.requiredValue("ids"));
    AdminAudit.Entry entry = AuditedRequest.entry(ctx, body, "outbox.replay");
    answer(
        ctx,
        200,
        replay
            .replayIds(ids, Boolean.TRUE.equals(body.optionalBoolean("dryRun")), entry)
            .map(ReplayResult::toJson));
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
    AdminAudit.Entry entry = AuditedRequest.entry(ctx, body, "outbox.replay.tenant");
    answer(
        ctx,
        200,
        badInput(
            () ->
                replay
                    .replayMatching(
                        filter, Boolean.TRUE.equals(body.optionalBoolean("dryRun")), entry)
                    .map(ReplayResult::toJson)));
  }

  private void audit(RoutingContext ctx) {
    String cursor = QueryParams.single(ctx, "cursor");
    answer(ctx, 200, badInput(() -> audit.list(cursor, limit(ctx))));
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

  private static int limit(RoutingContext ctx) {
    return ctx.queryParams().get("limit") == null ? DEFAULT_LIST : QueryParams.limit(ctx, MAX_LIST);
  }
}
