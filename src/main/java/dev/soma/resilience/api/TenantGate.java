package dev.soma.resilience.api;

import dev.soma.resilience.common.http.Problem;
import dev.soma.resilience.outbox.OutboxAddresses;
import dev.soma.resilience.tenant.RateLimiter;
import dev.soma.resilience.tenant.Tenants;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The door of every tenant endpoint: authenticates the API key (the request's tenant comes from it,
 * and only from it), applies the tenant's rate limit (cluster-wide with Redis, see {@link
 * RateLimiter}), and slows a tenant whose outbox backlog is over the limit (both 429 with
 * Retry-After, for that tenant only). A key that cannot be checked (not cached, and the database
 * does not answer) gets 503 with Retry-After, never 401: it may well be valid.
 */
final class TenantGate implements Handler<RoutingContext> {

  static final String TENANT = "tenant";
  static final long KEY_CHECK_RETRY_SECONDS = 5;

  private final Tenants tenants;
  private final RateLimiter limiter;
  private final int backlogLimit;
  private final Map<String, Long> backlog = new HashMap<>();

  TenantGate(Vertx vertx, Tenants tenants, RateLimiter limiter, int backlogLimit) {
    this.tenants = tenants;
    this.limiter = limiter;
    this.backlogLimit = backlogLimit;
    vertx
        .eventBus()
        .<JsonObject>consumer(
            OutboxAddresses.PENDING_COUNTS,
            message -> {
              backlog.clear();
              message
                  .body()
                  .forEach(e -> backlog.put(e.getKey(), ((Number) e.getValue()).longValue()));
            });
  }

  /** The authenticated tenant of a request that passed the gate. */
  static String tenant(RoutingContext ctx) {
    return ctx.get(TENANT);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if ("websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade"))) {
      ctx.request().pause(); // the upgrade must find the request unread after the async check
    }
    Optional<String> key = BearerToken.of(ctx.request());
    if (key.isEmpty()) {
      ctx.fail(Problem.unauthorized("send your API key as 'Authorization: Bearer <key>'"));
      return;
    }
    tenants
        .authenticate(key.get())
        .onComplete(
            ar -> {
              if (ar.failed()) {
                ctx.fail(
                    Problem.unavailable(
                        "the API key cannot be checked now (the database is unreachable and this"
                            + " key was not seen valid recently); retry later",
                        KEY_CHECK_RETRY_SECONDS));
              } else if (ar.result().isEmpty()) {
                ctx.fail(Problem.unauthorized("the API key is unknown or revoked"));
              } else {
                admit(ctx, ar.result().get());
              }
            });
  }

  private void admit(RoutingContext ctx, String tenant) {
    limiter
        .tryAcquire(tenant)
        .onSuccess(wait -> admit(ctx, tenant, wait))
        .onFailure(ctx::fail); // never: the limiter's future does not fail
  }

  private void admit(RoutingContext ctx, String tenant, long wait) {
    if (wait > 0) {
      ctx.fail(Problem.tooManyRequests("rate limit reached for this tenant", (wait + 999) / 1000));
      return;
    }
    if (isPost(ctx) && backlog.getOrDefault(tenant, 0L) > backlogLimit) {
      ctx.fail(
          Problem.tooManyRequests(
              "this tenant has "
                  + backlog.get(tenant)
                  + " events waiting to be published; slow down",
              5));
      return;
    }
    ctx.put(TENANT, tenant);
    ctx.next();
  }

  private static boolean isPost(RoutingContext ctx) {
    return ctx.request().method().name().equals("POST");
  }
}
