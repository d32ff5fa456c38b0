package dev.soma.resilience.api;

import dev.soma.resilience.common.http.Problem;
import dev.soma.resilience.config.Secret;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * The check in front of every {@code /admin} endpoint: the request must present the admin token
 * ({@code SA01_ADMIN_TOKEN}, separate from every tenant key) as its {@link BearerToken}; otherwise
 * it is a 401, and while no token is configured every admin request is a 403.
 */
final class AdminCredential implements Handler<RoutingContext> {

  private final Secret adminToken;

  AdminCredential(Secret adminToken) {
    this.adminToken = adminToken;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (!adminToken.isSet()) {
      ctx.fail(Problem.forbidden("admin endpoints are disabled: set SA01_ADMIN_TOKEN"));
      return;
    }
    if (!adminToken.matches(BearerToken.of(ctx.request()).orElse(null))) {
      ctx.fail(Problem.unauthorized("send the admin token as 'Authorization: Bearer <token>'"));
      return;
    }
    ctx.next();
  }
}
