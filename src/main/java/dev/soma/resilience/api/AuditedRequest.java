package dev.soma.resilience.api;

import dev.soma.resilience.common.audit.AdminAudit;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * What the audit trail keeps of a bulk admin request (the outbox and dead-letter replays and
 * resolves): who acts ({@link Operator}), the action's name, and the JSON body as sent, with its
 * {@code reason} once validated and, of an {@code ids} list, what {@link AdminAudit#withIds} keeps.
 */
final class AuditedRequest {

  private AuditedRequest() {}

  /**
   * The audit entry of {@code ctx}'s {@code action}, whose body was read as {@code body}.
   *
   * @throws dev.soma.resilience.common.http.Problem 400 when no operator is named ({@link
   *     Operator#of}) or the reason is not one line of at most 2000 characters
   */
  static AdminAudit.Entry entry(RoutingContext ctx, JsonBody body, String action) {
    String operator = Operator.of(ctx, body);
    String reason = body.optionalLine("reason", 2000);
    JsonObject request = ctx.body().asJsonObject().copy();
    if (request.getValue("ids") instanceof JsonArray ids) {
      AdminAudit.withIds(request, ids.getList());
    }
    if (reason != null) {
      request.put("reason", reason);
    }
    return new AdminAudit.Entry(operator, action, request, 0, false);
  }
}
