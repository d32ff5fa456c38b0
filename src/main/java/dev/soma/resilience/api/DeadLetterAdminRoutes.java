package dev.soma.resilience.api;

import static dev.soma.resilience.api.AdminAnswer.answer;
import static dev.soma.resilience.api.AdminAnswer.badInput;

import dev.soma.resilience.common.audit.AdminAudit;
import dev.soma.resilience.common.http.Problem;
import dev.soma.resilience.outbox.DeadLetterFilter;
import dev.soma.resilience.outbox.DeadLetters;
import dev.soma.resilience.outbox.OutboxFilter;
import dev.soma.resilience.outbox.OutboxReplay;
import dev.soma.resilience.outbox.ReplayResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The operators' dead-letter endpoints, mounted behind {@link AdminRoutes}' credential check: the
 * list, paged by cursor (payloads over {@link DeadLetters#LISTED_PAYLOAD_MAX} bytes left out), one
 * letter whole, the replay of one letter, and the bulk replay and resolve by a {@link
 * DeadLetterFilter} (with {@code dryRun}, at most {@code outbox.replayMaxRows} letters, 413
 * beyond). Each change says who acts ({@link Operator}) and is audited with it.
 */
final class DeadLetterAdminRoutes {

  private static final Set<String> BULK_FIELDS = bulkFields();

  private final DeadLetters deadLetters;
  private final OutboxReplay replay;

  DeadLetterAdminRoutes(DeadLetters deadLetters, OutboxReplay replay) {
    this.deadLetters = deadLetters;
    this.replay = replay;
  }

  void mount(Router router) {
    router
        .get("/admin/dead-letters")
        .handler(QueryParams.only("tenant", "all", "cursor", "limit"))
        .handler(this::list);
    router.get("/admin/dead-letters/:id").handler(QueryParams.only()).handler(this::one);
    // before ":id/replay", so "replay" is never taken for an id
    router
        .post("/admin/dead-letters/replay")
        .handler(QueryParams.only())
        .handler(this::replayMatching);
    router
        .post("/admin/dead-letters/resolve")
        .handler(QueryParams.only())
        .handler(this::resolveMatching);
    router
        .post("/admin/dead-letters/:id/replay")
        .handler(QueryParams.only())
        .handler(this::replayOne);
  }

  private void list(RoutingContext ctx) {
    String tenant = QueryParams.nonEmpty(ctx, "tenant");
    boolean all = QueryParams.flag(ctx, "all");
    String cursor = QueryParams.single(ctx, "cursor");
    int limit = QueryParams.limit(ctx, 500);
    answer(ctx, 200, badInput(() -> deadLetters.list(tenant, all, cursor, limit)));
  }

  private void one(RoutingContext ctx) {
    answer(ctx, 200, deadLetters.one(id(ctx)));
  }

  private static long id(RoutingContext ctx) {
    try {
      return Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      throw Problem.badRequest("the dead letter id must be a number");
    }
  }

  private void replayOne(RoutingContext ctx) {
    long id = id(ctx);
    JsonBody body =
        JsonBody.parseIfAny(ctx.body().buffer(), Set.of("reason", "notes", Operator.FIELD));
    String reason = body == null ? null : reason(body);
    String operator = Operator.of(ctx, body);
    answer(
        ctx,
        202,
        deadLetters
            .replay(id, operator, reason)
            .map(v -> new JsonObject().put("id", id).put("status", "replayed")));
  }

  /** Why, as {@code reason} (the bulk calls' name) or {@code notes} (its older name); not both. */
  private static String reason(JsonBody body) {
    String reason = body.optionalLine("reason", DeadLetters.REASON_MAX);
    String notes = body.optionalString("notes", DeadLetters.REASON_MAX);
    if (reason != null && notes != null) {
      throw Problem.badRequest("give reason or notes (its older name), not both");
    }
    return reason != null ? reason : notes;
  }

  private void replayMatching(RoutingContext ctx) {
    JsonBody body = JsonBody.parse(ctx.body().buffer(), BULK_FIELDS);
    DeadLetterFilter filter = filter(body);
    bulk(
        ctx,
        body,
        "dead-letters.replay",
        (entry, dryRun) ->
            replay.replayDeadLetters(filter, dryRun, entry).map(ReplayResult::toJson));
  }

  private void resolveMatching(RoutingContext ctx) {
    JsonBody body = JsonBody.parse(ctx.body().buffer(), BULK_FIELDS);
    DeadLetterFilter filter = filter(body);
    String reason = body.requiredLine("reason", DeadLetters.REASON_MAX);
    bulk(
        ctx,
        body,
        "dead-letters.resolve",
        (entry, dryRun) ->
            deadLetters
                .resolveMatching(filter, reason, dryRun, entry)
                .map(DeadLetters.Resolved::toJson));
  }

  /** Runs a bulk {@code action} (audited as that, a dry run when the body says so): 200. */
  private static void bulk(
      RoutingContext ctx,
      JsonBody body,
      String action,
      BiFunction<AdminAudit.Entry, Boolean, Future<JsonObject>> run) {
    AdminAudit.Entry entry = AuditedRequest.entry(ctx, body, action);
    boolean dryRun = Boolean.TRUE.equals(body.optionalBoolean("dryRun"));
    answer(ctx, 200, badInput(() -> run.apply(entry, dryRun)));
  }

  private static DeadLetterFilter filter(JsonBody body) {
    try {
      return DeadLetterFilter.parse(name -> body.optionalString(name, OutboxFilter.MAX_TEXT));
    } catch (IllegalArgumentException e) {
      throw Problem.badRequest(e.getMessage());
    }
  }

  private static Set<String> bulkFields() {
    Set<String> fields = new HashSet<>(DeadLetterFilter.FIELDS);
    fields.addAll(List.of("dryRun", "reason", Operator.FIELD));
    return Set.copyOf(fields);
  }
}
