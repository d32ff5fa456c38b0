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
  private final Long retryAfterSeconds;

  public Problem(int status, String type, String title, String detail) {
    this(status, type, title, detail, null);
  }

  private Problem(int status, String type, String title, String detail, Long retryAfterSeconds) {
    super(detail, null, false, false);
    this.status = status;
    this.type = type;
    this.title = title;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static Problem unauthorized(String detail) {
    return new Problem(401, "urn:soma:problem:unauthorized", "Unauthorized", detail);
  }

  public static Problem forbidden(String detail) {
    return new Problem(403, "urn:soma:problem:forbidden", "Forbidden", detail);
  }

  public static Problem conflict(String detail) {
    return new Problem(409, "urn:soma:problem:conflict", "Conflict", detail);
  }

  public static Problem unprocessable(String detail) {
    return new Problem(422, "urn:soma:problem:unprocessable", "Unprocessable request", detail);
  }

  /** 429 with a {@code Retry-After} of at least one second. */
  public static Problem tooManyRequests(String detail, long retryAfterSeconds) {
    return new Problem(
        429,
        "urn:soma:problem:too-many-requests",
        "Too many requests",
        detail,
        Math.max(1, retryAfterSeconds));
  }

  /** 503 with a {@code Retry-After} of at least one second. */
  public static Problem unavailable(String detail, long retryAfterSeconds) {
    return new Problem(
        503,
        "urn:soma:problem:unavailable",
        "Service unavailable",
        detail,
        Math.max(1, retryAfterSeconds));
  }

  /** Seconds for the {@code Retry-After} header, or null. */
  public Long retryAfterSeconds() {
    return retryAfterSeconds;
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
