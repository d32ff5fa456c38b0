package dev.soma.resilience.api;

import dev.soma.resilience.common.http.Problem;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * The API's own description, public (no key): {@code GET /openapi.yaml} ({@code docs/openapi.yaml},
 * packaged by the build) and Swagger UI at {@code GET /docs}, whose scripts and styles come from
 * the {@code org.webjars:swagger-ui} jar on the class path. Nothing is fetched from elsewhere: the
 * page loads its assets from {@code /docs/*} and the document from {@code /openapi.yaml}.
 */
public final class ApiDocs implements RouteModule {

  /** Where the build puts {@code docs/openapi.yaml} on the class path. */
  public static final String DOCUMENT = "openapi/openapi.yaml";

  /** RFC 9512's media type for YAML. */
  static final String YAML = "application/yaml";

  private static final String OWN = "api-docs/";
  private static final String WEBJAR =
      "META-INF/resources/webjars/swagger-ui/" + webjarVersion() + "/";

  /** The files {@code /docs/{asset}} serves, and where each comes from; nothing else is served. */
  static final Map<String, String> ASSETS =
      Map.of(
          "swagger-ui.css", WEBJAR + "swagger-ui.css",
          "index.css", WEBJAR + "index.css",
          "swagger-ui-bundle.js", WEBJAR + "swagger-ui-bundle.js",
          "swagger-ui-standalone-preset.js", WEBJAR + "swagger-ui-standalone-preset.js",
          "favicon-32x32.png", WEBJAR + "favicon-32x32.png",
          "favicon-16x16.png", WEBJAR + "favicon-16x16.png",
          "swagger-initializer.js", OWN + "swagger-initializer.js");

  @Override
  public void mount(Vertx vertx, Router router) {
    router.get("/openapi.yaml").handler(ctx -> send(vertx, ctx, DOCUMENT));
    router.get("/docs").handler(ctx -> send(vertx, ctx, OWN + "index.html"));
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

  private static String webjarVersion() {
    String properties = "META-INF/maven/org.webjars/swagger-ui/pom.properties";
    try (InputStream in = ApiDocs.class.getClassLoader().getResourceAsStream(properties)) {
      if (in == null) {
        throw new IllegalStateException("the swagger-ui webjar is not on the class path");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
