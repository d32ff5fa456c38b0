package dev.soma.resilience.api;

import dev.soma.resilience.common.http.Problem;
import dev.soma.resilience.degradation.DegradationAddresses;
import dev.soma.resilience.degradation.DegradationStatusView;
import dev.soma.resilience.journal.Journal;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operators' status page, public (no key, like {@code /v1/status}): {@code GET /status} (one
 * HTML page), its script and style at {@code GET /status/assets/{asset}}, all packaged in the jar
 * ({@code status-page/}), and {@code GET /status/events}, a server-sent event stream of the
 * degradation status: first a {@code snapshot} event (the monitor's snapshot and its recent
 * history, and the journal's state where this process has a journal), then one {@code change} event
 * per status change, with the change's sequence as the event id, and a {@code journal} event when
 * the journal's state has changed ({@link StatusStream}). The page asks for nothing outside the
 * service ({@code Content-Security-Policy}).
 *
 * <p>The admin part of the page calls the {@code /admin} endpoints itself, with the token the
 * operator types in; nothing here carries admin data. At most {@link #MAX_STREAMS} streams are open
 * at once (503 beyond); a stream whose client does not read is closed ({@link StatusStream}). Built
 * once per process and shared by the HTTP instances, like {@link AgentApi}.
 */
public final class StatusPage implements RouteModule {

  /** Open streams allowed across the process's HTTP instances. */
  static final int MAX_STREAMS = 200;

  private static final String OWN = "status-page/";
  private static final Map<String, String> ASSETS =
      Map.of("status.js", OWN + "status.js", "status.css", OWN + "status.css");
  private static final long HISTORY_TIMEOUT_MS = 2_000;

  /** Scripts, styles and streams from this origin only; no frames, no plugins. */
  private static final String POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self';"
          + " base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private final DegradationStatusView status;
  private final Optional<Journal> journal;
  private final int maxStreams;
  private final AtomicInteger open = new AtomicInteger();

  public StatusPage(DegradationStatusView status, Optional<Journal> journal) {
    this(status, journal, MAX_STREAMS);
  }

  /** With another bound on open streams (tests). */
  StatusPage(DegradationStatusView status, Optional<Journal> journal, int maxStreams) {
    this.status = status;
    this.journal = journal;
    this.maxStreams = maxStreams;
  }

  @Override
  public void mount(Vertx vertx, Router router) {
    router.get("/status").handler(ctx -> page(vertx, ctx));
    router.get("/status/events").handler(ctx -> events(vertx, ctx));
    router.get("/status/assets/:asset").handler(ctx -> asset(vertx, ctx));
  }

  /** Streams open now, on every HTTP instance of this process. */
  public int openStreams() {
    return open.get();
  }

  private static void page(Vertx vertx, RoutingContext ctx) {
    ctx.response().putHeader("Content-Security-Policy", POLICY);
    ClassPathFiles.send(vertx, ctx, OWN + "index.html", "no-cache");
  }

  private static void asset(Vertx vertx, RoutingContext ctx) {
    String file = ASSETS.get(ctx.pathParam("asset"));
    if (file == null) {
      ctx.fail(
          Problem.notFound(
              "no file " + StoredText.clip(ctx.pathParam("asset"), 64) + " in the status page"));
      return;
    }
    ClassPathFiles.send(vertx, ctx, file, "no-cache");
  }

  private void events(Vertx vertx, RoutingContext ctx) {
    if (!acceptsEventStream(ctx.request().getHeader("Accept"))) {
      throw Problem.notAcceptable(
          "this is a stream of server-sent events: send 'Accept: text/event-stream' or none");
    }
    if (HeadAsGet.wasHead(ctx)) {
      StatusStream.headers(ctx.response()).end();
      return;
    }
    if (open.incrementAndGet() > maxStreams) {
      open.decrementAndGet();
      throw Problem.unavailable(
          maxStreams + " status streams are open already; reload the page later", 10);
    }
    history(vertx)
        .onComplete(
            ar ->
                StatusStream.start(
                    vertx, ctx, status, journal, ar.result(), () -> open.decrementAndGet()));
  }

  /** The monitor's recent changes, oldest first; none when it does not answer in time. */
  private static Future<JsonArray> history(Vertx vertx) {
    return vertx
        .eventBus()
        .<JsonObject>request(
            DegradationAddresses.STATUS_HISTORY,
            new JsonObject(),
            new DeliveryOptions().setSendTimeout(HISTORY_TIMEOUT_MS))
        .map(reply -> reply.body().getJsonArray("changes", new JsonArray()))
        .otherwise(new JsonArray());
  }

  /**
   * Whether an {@code Accept} header allows {@code text/event-stream}: absent, naming it, or a
   * wildcard that covers it, with any quality but {@code q=0}, which says "not this" (RFC 9110
   * 12.5.1; {@code text/event-stream;q=0} wins over a wildcard); other quality values are not
   * weighed against each other.
   */
  static boolean acceptsEventStream(String accept) {
    if (accept == null || accept.isBlank()) {
      return true;
    }
    boolean allowed = false;
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      String type = parts[0].trim().toLowerCase(java.util.Locale.ROOT);
      if (type.equals("text/event-stream") && refused(parts)) {
        return false; // the most specific range decides
      }
      boolean covers =
          type.equals("text/event-stream") || type.equals("text/*") || type.equals("*/*");
      allowed |= covers && !refused(parts);
    }
    return allowed;
  }

  /** Whether a media range's parameters hold {@code q=0} (0, 0.0, 0.00 or 0.000). */
  private static boolean refused(String[] parts) {
    for (int i = 1; i < parts.length; i++) {
      String parameter = parts[i].trim().toLowerCase(java.util.Locale.ROOT).replace(" ", "");
      if (parameter.matches("q=0(\\.0{0,3})?")) {
        return true;
      }
    }
    return false;
  }
}
