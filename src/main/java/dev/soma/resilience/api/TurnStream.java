package dev.soma.resilience.api;

import dev.soma.resilience.chat.AgentTurns;
import dev.soma.resilience.chat.TurnRequest;
import dev.soma.resilience.degradation.DegradationStatusView;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * A chat turn answered as server-sent events: a {@code token} event per token, then an {@code end}
 * event with the turn's result; the degradation status changes that happen while the stream is open
 * as {@code status} events (the stream listens to the status view only while it is open). A turn
 * that fails before anything was sent is answered with its problem; after that, with an {@code
 * error} event ({@link TurnErrors#message}).
 */
record TurnStream(AgentTurns turns, DegradationStatusView status) {

  void answer(RoutingContext ctx, TurnRequest turn) {
    HttpServerResponse response =
        ctx.response()
            .setChunked(true)
            .putHeader("Content-Type", "text/event-stream")
            .putHeader("Cache-Control", "no-cache");
    DegradationStatusView.Subscription pushes =
        status.onChange(
            change -> {
              if (!response.ended() && !response.closed()) {
                event(response, "status", change.toJson());
              }
            });
    // ended on every path (answer, error event, problem); closed when the client goes first
    response.endHandler(v -> pushes.cancel());
    response.closeHandler(v -> pushes.cancel());
    turns
        .run(turn, text -> event(response, "token", new JsonObject().put("text", text)))
        .onSuccess(
            result -> {
              event(response, "end", result);
              response.end();
            })
        .onFailure(
            e -> {
              if (!response.headWritten() && AgentTurns.failureOf(e).isEmpty()) {
                ctx.fail(TurnErrors.problem(e));
                return;
              }
              event(response, "error", TurnErrors.message(e));
              response.end();
            });
  }

  private static void event(HttpServerResponse response, String event, JsonObject data) {
    response.write("event: " + event + "\ndata: " + data.encode() + "\n\n");
  }
}
