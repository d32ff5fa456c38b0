package dev.soma.resilience.common.http;

import dev.soma.resilience.common.FailureLog;
import dev.soma.resilience.common.db.DatabaseErrors;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpClosedException;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's failure handler: every failure leaves as {@code application/problem+json}. A {@link
 * Problem} keeps its status; a bare status code (from Vert.x Web, e.g. 413) gets a generic problem;
 * a request whose client went away, or sent what is not HTTP, is not logged as a failure (and
 * answered 400 if its connection is still open); a database that cannot be reached is a 503 with
 * {@code Retry-After}; anything else is a 500 whose detail hides internals (the log has them).
 * Server-side failures are logged through a {@link FailureLog}: the first of a cause with its stack
 * trace, then one line a minute with a count.
 */
public final class ProblemHandler implements Handler<RoutingContext> {

  static final long DATABASE_RETRY_SECONDS = 5;

  private static final Logger LOG = LoggerFactory.getLogger(ProblemHandler.class);
  // one per process, like the logger it protects: every HTTP event loop counts into it
  private static final FailureLog FAILURES =
      new FailureLog(Clock.systemUTC(), Duration.ofMinutes(1));

  @Override
  public void handle(RoutingContext ctx) {
    Problem problem;
    if (ctx.failure() instanceof HttpClosedException || notHttp(ctx.failure())) {
      // the client went away mid-request, or sent what is not HTTP (a chunk size that is not hex,
      // after which Vert.x closes the connection): not the server's failure
      LOG.debug(
          "request {} {}: not answered, the client went away or did not speak HTTP: {}",
          ctx.request().method(),
          ctx.request().path(),
          String.valueOf(ctx.failure()));
      if (!ctx.response().closed()) {
        send(ctx, Problem.badRequest("the request is not well-formed HTTP"));
      }
      return;
    }
    if (ctx.failure() instanceof Problem p) {
      problem = p;
    } else if (clientError(ctx) == 413) {
      problem = Problem.contentTooLarge("the request body is too large");
    } else if (clientError(ctx) > 0) {
      int status = clientError(ctx);
      problem =
          new Problem(
              status,
              "urn:soma:problem:http-" + status,
              HttpResponseStatus.valueOf(status).reasonPhrase(),
              "the request was rejected with status " + status);
    } else if (DatabaseErrors.isUnreachable(ctx.failure())) {
      log(ctx, "the database is unreachable");
      problem =
          Problem.unavailable(
              "the database is unreachable; the request was not completed and is safe to retry",
              DATABASE_RETRY_SECONDS);
    } else {
      log(ctx, "failed");
      problem =
          new Problem(
              500,
              "urn:soma:problem:internal",
              "Internal error",
              "the request could not be completed; it is safe to retry");
    }
    send(ctx, problem);
  }

  private static void log(RoutingContext ctx, String what) {
    FailureLog.Verdict verdict = FAILURES.record(ctx.failure());
    if (verdict.first()) {
      LOG.error(
          "request {} {}: {}", ctx.request().method(), ctx.request().path(), what, ctx.failure());
    } else if (verdict.log()) {
      LOG.error(
          "request {} {}: {} ({}; {} more requests failed the same way since the last line)",
          ctx.request().method(),
          ctx.request().path(),
          what,
          ctx.failure().toString(),
          verdict.suppressed());
    }
  }

  /**
   * Whether {@code failure} was raised by Netty's HTTP decoder: what the client sent is not HTTP.
   */
  private static boolean notHttp(Throwable failure) {
    StackTraceElement[] at = failure == null ? new StackTraceElement[0] : failure.getStackTrace();
    return at.length > 0
        && at[0].getClassName().startsWith("io.netty.handler.codec.http.HttpObjectDecoder");
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
