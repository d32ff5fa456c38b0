package dev.soma.resilience.common.http;

import io.vertx.core.json.JsonObject;

/**
 * An RFC 9457 problem: the one error shape on the wire ({@code application/problem+json}). Thrown
 * by handlers, rendered by {@link ProblemHandler}. Stackless: it is flow control, not a bug.
 */
public final class Problem extends RuntimeException {

  public static final String CONTENT_TYPE = "application/problem+json";

  private final int status;
  private final String type;
  private final String title;

  public Problem(int status, String type, String title, String detail) {
    super(detail, null, false, false);
    this.status = status;
    this.type = type;
    this.title = title;
  }

  public static Problem badRequest(String detail) {
    return new Problem(400, "urn:soma:problem:bad-request", "Bad request", detail);
  }

  public static Problem notFound(String detail) {
    return new Problem(404, "urn:soma:problem:not-found", "Not found", detail);
  }

  public int status() {
    return status;
  }

  public JsonObject toJson(String instance) {
    return new JsonObject()
        .put("type", type)
        .put("title", title)
        .put("status", status)
        .put("detail", getMessage())
        .put("instance", instance);
  }
}
