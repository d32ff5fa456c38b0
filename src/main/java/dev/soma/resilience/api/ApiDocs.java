package dev.soma.resilience.api;

import dev.soma.resilience.common.http.Problem;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * The API's own description, public (no key): {@code GET /openapi.yaml} ({@code docs/openapi.yaml},
 * packaged by the build) and Swagger UI at {@code GET /docs}, whose scripts and styles come from
 * the {@code org.webjars:swagger-ui} jar on the class path ({@link SwaggerUiFiles}). Nothing is
 * fetched from elsewhere: the page loads its assets from {@code /docs/*} and the document from
 * {@code /openapi.yaml}.
 */
public final class ApiDocs implements RouteModule {

  /** Where the build puts {@code docs/openapi.yaml} on the class path. */
  public static final String DOCUMENT = "openapi/openapi.yaml";

  /** RFC 9512's media type for YAML. */
  static final String YAML = "application/yaml";

  // read as the service builds its routes, so that a missing webjar fails the start, not a request
  private static final Map<String, String> ASSETS = SwaggerUiFiles.ASSETS;

  @Override
  public void mount(Vertx vertx, Router router) {
    router.get("/openapi.yaml").handler(ctx -> send(vertx, ctx, DOCUMENT));
    router.get("/docs").handler(ctx -> send(vertx, ctx, SwaggerUiFiles.PAGE));
    router.get("/docs/:asset").handler(ctx -> asset(vertx, ctx));
  }

  private static void asset(Vertx vertx, RoutingContext ctx) {
    String file = ASSETS.get(ctx.pathParam("asset"));
    if (file == null) {
      ctx.fail(Problem.notFound("no file " + ctx.pathParam("asset") + " in the API docs"));
      return;
    }
    send(vertx, ctx, file);
  }

  private static void send(Vertx vertx, RoutingContext ctx, String file) {
    ClassPathFiles.send(vertx, ctx, file, "public, max-age=3600");
  }
}
