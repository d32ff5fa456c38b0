package dev.soma.resilience.api;

import dev.soma.resilience.degradation.DegradationStatusView;
import dev.soma.resilience.degradation.StatusChange;
import dev.soma.resilience.journal.Journal;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open {@code GET /status/events} stream. It subscribes to the status view before it writes the
 * snapshot, and writes every change on the request's own context, after the snapshot: a client sees
 * each change at least once and may ignore one whose sequence its snapshot already includes.
 *
 * <p>Bounded: a change or heartbeat that finds the connection's write queue full closes the
 * connection instead of queueing more (the browser reconnects and starts from a fresh snapshot,
 * which is all a status page needs). A comment line every {@link #HEARTBEAT_MS} keeps proxies from
 * timing an idle stream out and finds a client that has gone. When the server shuts the connection
 * down (the service stops), the stream says {@code bye} and ends, so the client sees a clean end
 * rather than a cut. However it ends, it stops listening and {@code closed} runs once.
 *
 * <p>The journal's state is not announced on the event bus: the stream looks at it every {@link
 * #JOURNAL_MS} and writes a {@code journal} event when it differs from the last one written.
 */
final class StatusStream {

  /** Between comment lines on an idle stream. */
  static final long HEARTBEAT_MS = 15_000;

  /** Between looks at the journal's state. */
  static final long JOURNAL_MS = 2_000;

  /** What the browser waits before reconnecting (the SSE {@code retry} field). */
  private static final long RECONNECT_MS = 2_000;

  private static final Logger LOG = LoggerFactory.getLogger(StatusStream.class);

  private final RoutingContext ctx;
  private final HttpServerResponse response;
  private final Runnable closed;
  private DegradationStatusView.Subscription changes = () -> {};
  private long heartbeat = -1;
  private long journalTimer = -1;
  private JsonObject journalSent;
  private boolean done;

  private StatusStream(RoutingContext ctx, Runnable closed) {
    this.ctx = ctx;
    this.response = ctx.response();
    this.closed = closed;
  }

  /**
   * Starts streaming on the current (request's) context: headers, the snapshot with {@code history}
   * and the journal's state, then the changes. {@code closed} runs once when the stream ends for
   * any reason, also when the client went away before it started.
   */
  static void start(
      Vertx vertx,
      RoutingContext ctx,
      DegradationStatusView status,
      Optional<Journal> journal,
      JsonArray history,
      Runnable closed) {
    StatusStream stream = new StatusStream(ctx, closed);
    HttpServerResponse response = ctx.response();
    if (response.closed()) {
      closed.run();
      return;
    }
    response.closeHandler(v -> stream.finish());
    response.endHandler(v -> stream.finish());
    ctx.request().connection().shutdownHandler(v -> stream.bye());
    // the view calls the listener on this (the request's) context, behind the snapshot
    stream.changes = status.onChange(stream::change);
    stream.heartbeat = vertx.setPeriodic(HEARTBEAT_MS, id -> stream.write(": keep-alive\n\n"));
    headers(response).setChunked(true);
    JsonObject snapshot =
        new JsonObject().put("snapshot", status.current().toJson()).put("history", history);
    journal.ifPresent(
        j -> {
          stream.journalSent = j.describe();
          snapshot.put("journal", stream.journalSent);
          stream.journalTimer = vertx.setPeriodic(JOURNAL_MS, id -> stream.journal(j));
        });
    stream.write(
        "retry: " + RECONNECT_MS + "\nevent: snapshot\ndata: " + snapshot.encode() + "\n\n");
  }

  /** A stream's headers on {@code response}: an event stream, not to be cached or buffered. */
  static HttpServerResponse headers(HttpServerResponse response) {
    return response
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no");
  }

  private void change(StatusChange change) {
    write(
        "id: " + change.sequence() + "\nevent: change\ndata: " + change.toJson().encode() + "\n\n");
  }

  private void journal(Journal journal) {
    JsonObject now = journal.describe();
    if (!now.equals(journalSent)) {
      journalSent = now;
      write("event: journal\ndata: " + now.encode() + "\n\n");
    }
  }

  private void write(String text) {
    if (done) {
      return;
    }
    if (response.writeQueueFull()) {
      LOG.info("closing a status stream whose client does not keep up ({})", remote());
      finish();
      ctx.request().connection().close();
      return;
    }
    response.write(text);
  }

  /** The server is shutting the connection down: end the stream cleanly before it goes. */
  private void bye() {
    write("event: bye\ndata: {}\n\n");
    if (!done) {
      response.end();
    }
  }

  private void finish() {
    if (done) {
      return;
    }
    done = true;
    changes.cancel();
    ctx.vertx().cancelTimer(heartbeat);
    ctx.vertx().cancelTimer(journalTimer);
    closed.run();
  }

  private String remote() {
    return String.valueOf(ctx.request().remoteAddress());
  }
}
