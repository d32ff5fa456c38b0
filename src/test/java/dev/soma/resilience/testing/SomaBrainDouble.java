package dev.soma.resilience.testing;

import dev.soma.resilience.common.Blocking;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A SomaBrain stand-in: a real HTTP server speaking SomaBrain's wire format (docs:
 * /work/shared/contracts/somabrain.md) on a loopback port, with switches for its faults.
 *
 * <ul>
 *   <li>{@code GET /healthz} (always 200), {@code GET /readyz} (200 ready / 503 degraded), {@code
 *       GET /health} (always 200; the truth is {@code ready});
 *   <li>{@code POST /memory/remember}, {@code /memory/remember/batch}, {@code /memory/recall} with
 *       {@code Authorization: Bearer} (missing 401, wrong 403, none configured 503) and {@code
 *       X-Tenant-ID}; writes are keyed by {@code (tenant, namespace, universe, key)}, so a retried
 *       write overwrites instead of duplicating; {@code X-Request-ID} comes back as {@code
 *       request_id}; validation errors are 422 {@code {"detail": [...]}};
 *   <li>every path also under {@code /api}.
 * </ul>
 *
 * Switches: {@link #up()}, {@link #down()} (stops listening: connection refused), {@link
 * #slow(Duration)}, {@link #failWith(int)} (every endpoint, as a broken gateway would), {@link
 * #malformed()} (200 with a body that is not JSON), {@link #notReady()} (health says {@code ready:
 * false}, {@code /readyz} 503, writes 503). Blocking methods are for the test thread.
 */
public final class SomaBrainDouble implements AutoCloseable {

  /** What the double does with each request. */
  public enum Mode {
    UP,
    FAIL,
    MALFORMED,
    NOT_READY
  }

  private final Vertx vertx;
  private final String token;
  private final int port;
  private final Map<String, JsonObject> memories = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
  private final Map<String, java.util.List<String>> writes = new ConcurrentHashMap<>();
  private volatile Mode mode = Mode.UP;
  private volatile int failStatus = 503;
  private volatile Duration delay = Duration.ZERO;
  private HttpServer server;

  private SomaBrainDouble(Vertx vertx, String token, int port) {
    this.vertx = vertx;
    this.token = token;
    this.port = port;
  }

  /** Starts on a free loopback port; {@code token} null means "auth not configured" (503). */
  public static SomaBrainDouble start(Vertx vertx, String token) throws Exception {
    SomaBrainDouble brain = new SomaBrainDouble(vertx, token, FreePort.find());
    brain.listen();
    return brain;
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** Healthy and listening (re-listens on the same port after {@link #down()}). */
  public SomaBrainDouble up() throws Exception {
    mode = Mode.UP;
    delay = Duration.ZERO;
    if (server == null) {
      listen();
    }
    return this;
  }

  /** Stops listening: callers get connection refused. */
  public SomaBrainDouble down() throws Exception {
    if (server != null) {
      Blocking.await(server.close(), Duration.ofSeconds(10));
      server = null;
    }
    return this;
  }

  public SomaBrainDouble slow(Duration by) {
    delay = by;
    return this;
  }

  public SomaBrainDouble failWith(int status) {
    failStatus = status;
    mode = Mode.FAIL;
    return this;
  }

  public SomaBrainDouble malformed() {
    mode = Mode.MALFORMED;
    return this;
  }

  public SomaBrainDouble notReady() {
    mode = Mode.NOT_READY;
    return this;
  }

  /** Requests received on {@code path} (without the {@code /api} prefix). */
  public int requests(String path) {
    return requests.getOrDefault(path, new AtomicInteger()).get();
  }

  /** The keys of every accepted write of {@code tenant}, in the order they arrived. */
  public java.util.List<String> writes(String tenant) {
    return java.util.List.copyOf(writes.getOrDefault(tenant, java.util.List.of()));
  }

  /** A stored memory's {@code value}, or null. */
  public JsonObject memory(String tenant, String namespace, String key) {
    JsonObject stored = memories.get(tenant + "/" + namespace + "/real/" + key);
    return stored == null ? null : stored.getJsonObject("value");
  }

  public int memoryCount() {
    return memories.size();
  }

  @Override
  public void close() throws Exception {
    down();
  }

  private void listen() throws Exception {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create().setBodyLimit(1024 * 1024));
    router.route().handler(this::faults);
    for (String prefix : new String[] {"", "/api"}) {
      router
          .get(prefix + "/healthz")
          .handler(ctx -> json(ctx, 200, new JsonObject().put("status", "ok")));
      router.get(prefix + "/readyz").handler(this::readyz);
      router.get(prefix + "/health").handler(this::health);
      router.post(prefix + "/memory/remember").handler(ctx -> authorized(ctx, this::remember));
      router.post(prefix + "/memory/remember/batch").handler(ctx -> authorized(ctx, this::batch));
      router.post(prefix + "/memory/recall").handler(ctx -> authorized(ctx, this::recall));
    }
    router
        .route()
        .last()
        .handler(ctx -> json(ctx, 404, new JsonObject().put("detail", "Not Found")));
    server =
        Blocking.await(
            vertx.createHttpServer().requestHandler(router).listen(port, "127.0.0.1"),
            Duration.ofSeconds(10));
  }

  private void faults(RoutingContext ctx) {
    String path = ctx.request().path().replaceFirst("^/api/", "/");
    requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    Runnable next =
        () -> {
          if (mode == Mode.FAIL) {
            json(ctx, failStatus, new JsonObject().put("detail", "upstream error"));
          } else if (mode == Mode.MALFORMED) {
            ctx.response()
                .setStatusCode(200)
                .putHeader("Content-Type", "application/json")
                .end("{\"ready\": tru");
          } else {
            ctx.next();
          }
        };
    if (delay.isZero()) {
      next.run();
    } else {
      vertx.setTimer(delay.toMillis(), id -> next.run());
    }
  }

  private void health(RoutingContext ctx) {
    boolean ready = mode != Mode.NOT_READY;
    json(
        ctx,
        200,
        new JsonObject()
            .put("ok", ready)
            .put("ready", ready)
            .put("status", ready ? "healthy" : "degraded")
            .put("components", new JsonObject().put("memory", new JsonObject().put("ok", ready))));
  }

  private void readyz(RoutingContext ctx) {
    if (mode == Mode.NOT_READY) {
      json(
          ctx,
          503,
          new JsonObject()
              .put("status", "degraded")
              .put("checks", new JsonObject().put("memory", false)));
    } else {
      json(
          ctx,
          200,
          new JsonObject()
              .put("status", "ready")
              .put("checks", new JsonObject().put("memory", true)));
    }
  }

  private void authorized(RoutingContext ctx, java.util.function.Consumer<RoutingContext> next) {
    String header = ctx.request().getHeader("Authorization");
    if (token == null) {
      json(ctx, 503, new JsonObject().put("detail", "authentication not configured"));
    } else if (header == null || !header.startsWith("Bearer ")) {
      json(ctx, 401, new JsonObject().put("detail", "missing bearer token"));
    } else if (!header.substring(7).equals(token)) {
      json(ctx, 403, new JsonObject().put("detail", "invalid token"));
    } else if (mode == Mode.NOT_READY) {
      json(ctx, 503, new JsonObject().put("detail", "memory backend unavailable"));
    } else {
      next.accept(ctx);
    }
  }

  private void remember(RoutingContext ctx) {
    JsonObject body = body(ctx);
    if (body == null) {
      return;
    }
    JsonArray errors = new JsonArray();
    for (String field : new String[] {"tenant", "namespace", "key"}) {
      if (!(body.getValue(field) instanceof String s) || s.isEmpty()) {
        errors.add(missing(field));
      }
    }
    if (!(body.getValue("value") instanceof JsonObject)) {
      errors.add(missing("value"));
    }
    if (!errors.isEmpty()) {
      json(ctx, 422, new JsonObject().put("detail", errors));
      return;
    }
    json(
        ctx,
        200,
        store(
                body.getString("tenant"),
                body.getString("namespace"),
                body.getString("universe", "real"),
                body,
                requestId(ctx))
            .put("tenant", body.getString("tenant"))
            .put("namespace", body.getString("namespace"))
            .put("trace_id", body.getString("trace_id")));
  }

  private void batch(RoutingContext ctx) {
    JsonObject body = body(ctx);
    if (body == null) {
      return;
    }
    JsonArray items = body.getJsonArray("items");
    if (!(body.getValue("tenant") instanceof String)
        || !(body.getValue("namespace") instanceof String)
        || items == null
        || items.isEmpty()) {
      json(ctx, 422, new JsonObject().put("detail", new JsonArray().add(missing("items"))));
      return;
    }
    for (Object item : items) {
      if (!(item instanceof JsonObject o)
          || o.getString("key") == null
          || o.getJsonObject("value") == null) {
        json(ctx, 422, new JsonObject().put("detail", new JsonArray().add(missing("items.key"))));
        return;
      }
    }
    JsonArray results = new JsonArray();
    for (Object item : items) {
      results.add(
          store(
              body.getString("tenant"),
              body.getString("namespace"),
              body.getString("universe", "real"),
              (JsonObject) item,
              requestId(ctx)));
    }
    json(
        ctx,
        200,
        new JsonObject()
            .put("ok", true)
            .put("tenant", body.getString("tenant"))
            .put("namespace", body.getString("namespace"))
            .put("results", results));
  }

  private JsonObject store(
      String tenant, String namespace, String universe, JsonObject item, String requestId) {
    String id = tenant + "/" + namespace + "/" + universe + "/" + item.getString("key");
    boolean existed = memories.put(id, item.copy()) != null;
    writes
        .computeIfAbsent(tenant, t -> new java.util.concurrent.CopyOnWriteArrayList<>())
        .add(item.getString("key"));
    return new JsonObject()
        .put("ok", true)
        .put("key", item.getString("key"))
        .put(
            "coordinate",
            new JsonArray().add(Math.abs(id.hashCode() % 1000) / 1000.0).add(0.5).add(0.25))
        .put("promoted_to_wm", true)
        .put("persisted_to_ltm", true)
        .put("queued_for_ltm", false)
        .put("deduplicated", existed)
        .put("request_id", requestId)
        .put("warnings", new JsonArray());
  }

  private void recall(RoutingContext ctx) {
    JsonObject body = body(ctx);
    if (body == null) {
      return;
    }
    if (!(body.getValue("query") instanceof String query)) {
      json(ctx, 422, new JsonObject().put("detail", new JsonArray().add(missing("query"))));
      return;
    }
    String tenant = Objects.requireNonNullElse(ctx.request().getHeader("X-Tenant-ID"), "default");
    String namespace = body.getString("namespace");
    int topK = body.getInteger("top_k", 10);
    JsonArray results = new JsonArray();
    memories.forEach(
        (id, item) -> {
          String[] parts = id.split("/", 4);
          String text = item.getJsonObject("value").encode().toLowerCase(java.util.Locale.ROOT);
          if (parts[0].equals(tenant)
              && (namespace == null || parts[1].equals(namespace))
              && text.contains(query.toLowerCase(java.util.Locale.ROOT))
              && results.size() < topK) {
            results.add(
                new JsonObject()
                    .put("content", item.getJsonObject("value"))
                    .put("layer", "ltm")
                    .put("score", 0.9));
          }
        });
    json(
        ctx,
        200,
        new JsonObject()
            .put("tenant", tenant)
            .put("namespace", namespace)
            .put("results", results)
            .put("wm_hits", 0)
            .put("ltm_hits", results.size())
            .put("total_results", results.size())
            .put("duration_ms", 1.0)
            .put("degraded", false)
            .put("degraded_reasons", new JsonArray()));
  }

  private static JsonObject body(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body != null) {
        return body;
      }
    } catch (RuntimeException e) {
      // answered below, as FastAPI does
    }
    json(
        ctx,
        422,
        new JsonObject()
            .put(
                "detail",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("type", "json_invalid")
                            .put("loc", new JsonArray().add("body"))
                            .put("msg", "JSON decode error"))));
    return null;
  }

  private static JsonObject missing(String field) {
    return new JsonObject()
        .put("type", "missing")
        .put("loc", new JsonArray().add("body").add(field))
        .put("msg", "Field required");
  }

  private static String requestId(RoutingContext ctx) {
    String id = ctx.request().getHeader("X-Request-ID");
    return id != null ? id : UUID.randomUUID().toString();
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.encode());
  }

  /** Future-returning stop for use from a Vert.x thread. */
  public Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
