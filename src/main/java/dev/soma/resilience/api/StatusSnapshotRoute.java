package dev.soma.resilience.api;

import dev.soma.resilience.common.http.Problem;
import dev.soma.resilience.degradation.DegradationAddresses;
import dev.soma.resilience.journal.Journal;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * {@code GET /v1/status}: the degradation monitor's agent-wide snapshot, asked on the event bus
 * wherever a monitor runs, with this node's journal state when it has a journal; a 503 with {@code
 * Retry-After} when no monitor answers in time.
 */
record StatusSnapshotRoute(Optional<Journal> journal) {

  private static final long TIMEOUT_MS = 2000;
  private static final long RETRY_AFTER_SECONDS = 5;

  void answer(Vertx vertx, RoutingContext ctx) {
    vertx
        .eventBus()
        .<JsonObject>request(
            DegradationAddresses.STATUS_SNAPSHOT,
            new JsonObject(),
            new DeliveryOptions().setSendTimeout(TIMEOUT_MS))
        .onSuccess(
            reply -> {
              JsonObject snapshot = reply.body();
              journal.ifPresent(j -> snapshot.put("journal", j.describe()));
              ctx.response().putHeader("Content-Type", "application/json").end(snapshot.encode());
            })
        .onFailure(
            e ->
                ctx.fail(
                    new Problem(
                            503,
                            "urn:soma:problem:status-unavailable",
                            "Service unavailable",
                            "no degradation monitor answered (none is active: in a cluster, give"
                                + " the monitor role to two nodes or more); retry shortly")
                        .withHeader("Retry-After", Long.toString(RETRY_AFTER_SECONDS))));
  }
}
