package dev.soma.resilience.api;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * HEAD served as GET without the body (RFC 9110 9.3.2), as load balancers' health checks and link
 * checkers send it: the request is routed again as a GET, and the server leaves the body out
 * because the request was a HEAD. Not on the WebSocket (a HEAD is no handshake) or on uploads (a
 * HEAD would fetch the whole object from the storage chain to send none of it): there HEAD is 405
 * like any method a path does not take. {@link NoRoute} lists HEAD wherever it is served.
 */
final class HeadAsGet implements Handler<RoutingContext> {

  private static final String WAS_HEAD = "soma.head";

  /** Paths (or path prefixes, ending with /) whose GET is not served for a HEAD. */
  private static final List<String> NOT_SERVED = List.of("/v1/ws", "/v1/uploads/");

  /** Routes every HEAD request of {@code router} to its GET route, where HEAD is served. */
  static void mount(Router router) {
    router.route().method(HttpMethod.HEAD).handler(new HeadAsGet());
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (!serves(request.path())) {
      ctx.next(); // on to the 405
      return;
    }
    ctx.put(WAS_HEAD, true);
    // path and query, not uri(): an absolute-form target (HEAD http://host/path) is no path
    String query = request.query();
    ctx.reroute(HttpMethod.GET, request.path() + (query == null ? "" : "?" + query));
  }

  /** Whether a HEAD of {@code path} is served as its GET. */
  static boolean serves(String path) {
    return NOT_SERVED.stream()
        .noneMatch(p -> p.endsWith("/") ? path.startsWith(p) : path.equals(p));
  }

  /**
   * Whether the request came as a HEAD: a stream then answers its headers and ends, since a body it
   * never finishes would hold the client waiting for the end of a response it does not read.
   */
  static boolean wasHead(RoutingContext ctx) {
    return Boolean.TRUE.equals(ctx.get(WAS_HEAD));
  }
}
