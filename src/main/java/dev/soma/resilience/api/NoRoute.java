package dev.soma.resilience.api;

import dev.soma.resilience.common.http.Problem;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.TreeSet;

/**
 * The router's last handler, reached when no route served the request: 405 with {@code Allow} when
 * the path is known under other methods, 404 otherwise (both problem+json). The methods come from
 * the router's own routes (those declared with a method and a path), so a new route is covered
 * without being listed here.
 */
public final class NoRoute implements Handler<RoutingContext> {

  private final Router router;

  public NoRoute(Router router) {
    this.router = router;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    Set<String> allowed = new TreeSet<>();
    for (Route route : router.getRoutes()) {
      Set<HttpMethod> methods = route.methods();
      if (methods != null && !methods.isEmpty() && route.getPath() != null) {
        if (RouteTemplate.of(route.getPath()).matcher(path).matches()) {
          methods.forEach(m -> allowed.add(m.name()));
        }
      }
    }
    if (allowed.contains("GET") && HeadAsGet.serves(path)) {
      allowed.add("HEAD"); // served as GET (HeadAsGet)
    }
    String request = ctx.request().method() + " " + ctx.request().path();
    if (allowed.isEmpty()) {
      ctx.fail(Problem.notFound("no resource at " + request));
    } else {
      ctx.fail(
          Problem.methodNotAllowed(
              request + " is not supported; this path accepts " + String.join(", ", allowed),
              String.join(", ", allowed)));
    }
  }
}
