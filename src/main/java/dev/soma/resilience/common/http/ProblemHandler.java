package dev.soma.resilience.common.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's failure handler: every failure leaves as {@code application/problem+json}. A
 * {@link Problem} keeps its status; a bare status code (from Vert.x Web, e.g. 413) gets a generic
 * problem; anything else is a 500 whose detail hides internals (the log has them).
 */
public final class ProblemHandler implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(ProblemHandler.class);

  @Override
  public void handle(RoutingContext ctx) {
    Problem problem;
    if (ctx.failure() instanceof Problem p) {
      problem = p;
    } else if (ctx.failure() == null && ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      problem = new Problem(ctx.statusCode(), "urn:soma:problem:http-" + ctx.statusCode(),
          io.netty.handler.codec.http.HttpResponseStatus.valueOf(ctx.statusCode()).reasonPhrase(),
          "the request was rejected with status " + ctx.statusCode());
    } else {
      LOG.error("request {} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
      problem = new Problem(500, "urn:soma:problem:internal", "Internal error",
          "the request could not be completed; it is safe to retry");
    }
    send(ctx, problem);
  }

  public static void send(RoutingContext ctx, Problem problem) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    ctx.response()
        .setStatusCode(problem.status())
        .putHeader("Content-Type", Problem.CONTENT_TYPE)
        .end(problem.toJson(ctx.request().path()).encode());
  }
}
