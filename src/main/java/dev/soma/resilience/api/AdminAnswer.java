package dev.soma.resilience.api;

import dev.soma.resilience.common.http.Problem;
import dev.soma.resilience.outbox.OutboxReplay;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

/**
 * How every admin route answers: the result as JSON with the route's status, or its failure as a
 * problem ({@link OutboxReplay.TooLarge} 413, {@link NoSuchElementException} 404, {@link
 * IllegalArgumentException} 409, others as they are). A call that refuses its input at once is a
 * 400 instead ({@link #badInput}).
 */
final class AdminAnswer {

  private AdminAnswer() {}

  /**
   * A call that may refuse its input at once with {@link IllegalArgumentException}: a 400 then (a
   * failure it completes with later is about the rows, a 409: see {@link #answer}).
   */
  static Future<JsonObject> badInput(Supplier<Future<JsonObject>> call) {
    try {
      return call.get();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(Problem.badRequest(e.getMessage()));
    }
  }

  /** Answers {@code result} as JSON with {@code status}, or its failure as a problem. */
  static void answer(RoutingContext ctx, int status, Future<JsonObject> result) {
    result.onComplete(
        ar -> {
          if (ar.failed()) {
            ctx.fail(problem(ar.cause()));
          } else {
            ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(ar.result().encode());
          }
        });
  }

  /** Answers 204 once {@code done} completed, or its failure as a problem. */
  static void noContent(RoutingContext ctx, Future<?> done) {
    done.onSuccess(v -> ctx.response().setStatusCode(204).end())
        .onFailure(e -> ctx.fail(problem(e)));
  }

  private static Throwable problem(Throwable e) {
    return e instanceof OutboxReplay.TooLarge
        ? Problem.contentTooLarge(e.getMessage())
        : e instanceof NoSuchElementException
            ? Problem.notFound(e.getMessage())
            : e instanceof IllegalArgumentException ? Problem.conflict(e.getMessage()) : e;
  }
}
