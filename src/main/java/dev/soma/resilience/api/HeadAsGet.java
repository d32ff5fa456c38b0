package dev.soma.resilience.api;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * HEAD served as GET without the body (RFC 9110 9.3.2), as load balancers' health checks and link
 * checkers send it: the request is routed again as a GET, and the server leaves the body out
 * because the request was a HEAD. {@link NoRoute} lists HEAD wherever GET is allowed.
 */
final class HeadAsGet implements Handler<RoutingContext> {

  private static final String WAS_HEAD = "soma.head";

  /** Routes every HEAD request of {@code router} to its GET route. */
  static void mount(Router router) {
    router.route().method(HttpMethod.HEAD).handler(new HeadAsGet());
  }

  @Override
  public void handle(RoutingContext ctx) {
    ctx.put(WAS_HEAD, true);
    ctx.reroute(HttpMethod.GET, ctx.request().uri());
  }

  /**
   * Whether the request came as a HEAD: a stream then answers its headers and ends, since a body it
   * never finishes would hold the client waiting for the end of a response it does not read.
   */
  static boolean wasHead(RoutingContext ctx) {
    return Boolean.TRUE.equals(ctx.get(WAS_HEAD));
  }
}
