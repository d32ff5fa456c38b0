package dev.soma.resilience.common.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's failure handler: every failure leaves as {@code application/problem+json}. A {@link
 * Problem} keeps its status; a bare status code (from Vert.x Web, e.g. 413) gets a generic problem;
 * anything else is a 500 whose detail hides internals (the log has them).
 */
public final class ProblemHandler implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(ProblemHandler.class);

  @Override
  public void handle(RoutingContext ctx) {
    Problem problem;
    if (ctx.failure() instanceof Problem p) {
      problem = p;
    } else if (clientError(ctx) > 0) {
      int status = clientError(ctx);
      problem =
          new Problem(
              status,
              "urn:soma:problem:http-" + status,
              HttpResponseStatus.valueOf(status).reasonPhrase(),
              status == 413
                  ? "the request body is too large"
                  : "the request was rejected with status " + status);
    } else {
      LOG.error(
          "request {} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
      problem =
          new Problem(
              500,
              "urn:soma:problem:internal",
              "Internal error",
              "the request could not be completed; it is safe to retry");
    }
    send(ctx, problem);
  }

  /** The 4xx status of a failure raised by Vert.x Web itself (e.g. 413 from the body handler). */
  private static int clientError(RoutingContext ctx) {
    int status =
        ctx.failure() instanceof HttpException http
            ? http.getStatusCode()
            : ctx.failure() == null ? ctx.statusCode() : -1;
    return status >= 400 && status < 500 ? status : -1;
  }

  public static void send(RoutingContext ctx, Problem problem) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    if (problem.retryAfterSeconds() != null) {
      ctx.response().putHeader("Retry-After", Long.toString(problem.retryAfterSeconds()));
    }
    problem.headers().forEach(ctx.response()::putHeader);
    ctx.response()
        .setStatusCode(problem.status())
        .putHeader("Content-Type", Problem.CONTENT_TYPE)
        .end(problem.toJson(ctx.request().path()).encode());
  }
}
