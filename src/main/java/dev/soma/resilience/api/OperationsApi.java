package dev.soma.resilience.api;

import dev.soma.resilience.common.db.Database;
import dev.soma.resilience.common.http.InvalidRequests;
import dev.soma.resilience.common.http.ProblemHandler;
import dev.soma.resilience.journal.Journal;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The HTTP verticle: {@code GET /health/live} (the process only), {@code GET /health/ready}
 * (PostgreSQL reachable and migrated: the only critical dependency; and the node not stopping:
 * {@link HealthRoutes}), {@code GET /metrics} (Prometheus text), {@code GET /v1/status} (the
 * degradation monitor's agent-wide snapshot, where one runs: {@link StatusSnapshotRoute}) and the
 * routes of the {@link RouteModule}s it is given (the agent API), on {@code host:port}. Every error
 * answers {@code application/problem+json}: unknown paths (404), known paths under another method
 * (405 with {@code Allow}), failures, and requests the HTTP decoder refuses before routing (414,
 * 431, 400: {@link InvalidRequests}).
 */
public final class OperationsApi extends VerticleBase {

  private final HealthRoutes health;
  private final PrometheusMeterRegistry registry;

  private final String host;
  private final int port;
  private final int maxMessageBytes;
  private final List<RouteModule> modules;
  private final boolean serveStatus;
  private final StatusSnapshotRoute status;
  private HttpServer server;
  private Router router;

  public OperationsApi(
      Database database,
      Pool pool,
      PrometheusMeterRegistry registry,
      String host,
      int port,
      int maxMessageBytes,
      boolean serveStatus,
      Optional<Journal> journal,
      boolean readyWhileJournaling,
      BooleanSupplier stopping,
      List<RouteModule> modules) {
    this.health = new HealthRoutes(database, pool, journal, readyWhileJournaling, stopping);
    this.status = new StatusSnapshotRoute(journal);
    this.registry = registry;
    this.host = host;
    this.port = port;
    this.maxMessageBytes = maxMessageBytes;
    this.serveStatus = serveStatus;
    this.modules = List.copyOf(modules);
  }

  @Override
  public Future<?> start() {
    router = Router.router(vertx);
    // first: a malformed path must be refused before a route with a path is matched against it
    router.route().handler(new RequestHygiene());
    HeadAsGet.mount(router);
    health.mount(vertx, router);
    router
        .get("/metrics")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(registry.scrape()));
    if (serveStatus) {
      router.get("/v1/status").handler(ctx -> status.answer(vertx, ctx));
    }
    modules.forEach(module -> module.mount(vertx, router));
    router.route().last().handler(new NoRoute(router));
    router.route().failureHandler(new ProblemHandler());
    // port 0 asks for any free port: listen on -1 instead, Vert.x's "one random port shared by
    // every server asking for -1", so all instances serve the same port as they do a fixed one
    int listenOn = port == 0 ? -1 : port;
    return vertx
        // HTTP/1.1 only: an h2c upgrade without its settings header would get a bare 400 from
        // Vert.x and a connection left open; refused, it is an ordinary request that routing
        // answers
        .createHttpServer(
            new HttpServerOptions()
                .setHttp2ClearTextEnabled(false)
                // a WebSocket message may be as large as a JSON body, sent in one frame or several
                .setMaxWebSocketFrameSize(maxMessageBytes)
                .setMaxWebSocketMessageSize(maxMessageBytes))
        .invalidRequestHandler(new InvalidRequests())
        .requestHandler(router)
        .listen(listenOn, host)
        .onSuccess(s -> server = s);
  }

  /** The routes this instance serves, in order (for the contract test and diagnostics). */
  public List<Route> routes() {
    return router.getRoutes();
  }

  /** The port actually bound (useful when configured as 0). */
  public int actualPort() {
    return server.actualPort();
  }
}
