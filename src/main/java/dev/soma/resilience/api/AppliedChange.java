package dev.soma.resilience.api;

import dev.soma.resilience.common.db.TableSync;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The answer to an operator's change of a table every process syncs (breaker overrides, feature
 * flags): once the change is stored, this process's {@link TableSync} is asked to read and apply
 * the stored set at once, so the answer shows the change in force here; the other processes follow
 * within a {@code NOTIFY} round trip. A failure to store or to apply fails the request.
 */
final class AppliedChange {

  private static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(5);

  private AppliedChange() {}

  /**
   * Answers {@code ctx} with {@code body} (as JSON, 200) once {@code stored} completed and the sync
   * listening on {@code reload} applied it here.
   */
  static void answer(
      RoutingContext ctx, Vertx vertx, String reload, Future<?> stored, Supplier<JsonObject> body) {
    stored
        .compose(v -> TableSync.reloadHere(vertx, reload, RELOAD_TIMEOUT))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                ctx.fail(ar.cause());
              } else {
                ctx.response()
                    .putHeader("Content-Type", "application/json")
                    .end(body.get().encode());
              }
            });
  }
}
