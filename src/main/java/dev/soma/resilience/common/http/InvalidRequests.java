package dev.soma.resilience.common.http;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * The HTTP server's answer to a request its decoder refused, before any router sees it: a request
 * line over the limit (414), headers over the limit (431), anything else malformed such as a
 * control character in a header (400). Each is {@code application/problem+json}, like every other
 * error, and the connection is closed since the rest of its bytes cannot be trusted.
 */
public final class InvalidRequests implements Handler<HttpServerRequest> {

  @Override
  public void handle(HttpServerRequest request) {
    Problem problem = problemFor(request.decoderResult().cause());
    request
        .response()
        .setStatusCode(problem.status())
        .putHeader("Content-Type", Problem.CONTENT_TYPE)
        .putHeader("Connection", "close")
        .end(problem.toJson(null).encode())
        .onComplete(done -> request.connection().close());
  }

  static Problem problemFor(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return new Problem(
          414, "urn:soma:problem:uri-too-long", "URI too long", "the request line is too long");
    }
    if (cause instanceof TooLongHttpHeaderException
        || (cause instanceof TooLongFrameException
            && String.valueOf(cause.getMessage()).startsWith("HTTP header is larger than"))) {
      return new Problem(
          431,
          "urn:soma:problem:headers-too-large",
          "Request header fields too large",
          "the request's headers are too large");
    }
    return Problem.badRequest("the request is not valid HTTP (a malformed line or header)");
  }
}
