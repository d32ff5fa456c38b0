package dev.soma.resilience.common.http;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

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
  private final Map<String, String> headers;

  public Problem(int status, String type, String title, String detail) {
    this(status, type, title, detail, null, Map.of());
  }

  private Problem(
      int status,
      String type,
      String title,
      String detail,
      Long retryAfterSeconds,
      Map<String, String> headers) {
    super(detail, null, false, false);
    this.status = status;
    this.type = type;
    this.title = title;
    this.retryAfterSeconds = retryAfterSeconds;
    this.headers = Map.copyOf(headers);
  }

  /** This problem with one more response header (e.g. {@code Allow} on a 405). */
  public Problem withHeader(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(name, value);
    return new Problem(status, type, title, getMessage(), retryAfterSeconds, more);
  }

  /** Response headers that belong to this problem (besides {@code Retry-After}). */
  public Map<String, String> headers() {
    return headers;
  }

  /** 405 with the {@code Allow} header listing the methods the path does accept. */
  public static Problem methodNotAllowed(String detail, String allow) {
    return new Problem(405, "urn:soma:problem:method-not-allowed", "Method not allowed", detail)
        .withHeader("Allow", allow);
  }

  /** 406: the route cannot answer in any media type the request's {@code Accept} allows. */
  public static Problem notAcceptable(String detail) {
    return new Problem(406, "urn:soma:problem:not-acceptable", "Not acceptable", detail);
  }

  /** 413: the body, or what it asks for, is more than the service takes in one request. */
  public static Problem contentTooLarge(String detail) {
    return new Problem(413, "urn:soma:problem:too-large", "Content too large", detail);
  }

  /** 415: the body's {@code Content-Type} is not one this route reads. */
  public static Problem unsupportedMediaType(String detail) {
    return new Problem(
        415, "urn:soma:problem:unsupported-media-type", "Unsupported media type", detail);
  }

  /** 426: the route is a WebSocket and the request did not ask for one. */
  public static Problem upgradeRequired(String detail) {
    return new Problem(426, "urn:soma:problem:upgrade-required", "Upgrade required", detail)
        .withHeader("Upgrade", "websocket")
        .withHeader("Connection", "Upgrade");
  }

  /**
   * 401, with the {@code WWW-Authenticate} challenge RFC 9110 asks of every 401: a bearer token.
   */
  public static Problem unauthorized(String detail) {
    return new Problem(401, "urn:soma:problem:unauthorized", "Unauthorized", detail)
        .withHeader("WWW-Authenticate", "Bearer");
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
    return retryLater(
        429, "urn:soma:problem:too-many-requests", "Too many requests", detail, retryAfterSeconds);
  }

  /** 503 with a {@code Retry-After} of at least one second. */
  public static Problem unavailable(String detail, long retryAfterSeconds) {
    return retryLater(
        503, "urn:soma:problem:unavailable", "Service unavailable", detail, retryAfterSeconds);
  }

  /** A problem whose {@code Retry-After} is at least one second: a client must never spin. */
  private static Problem retryLater(
      int status, String type, String title, String detail, long retryAfterSeconds) {
    return new Problem(status, type, title, detail, Math.max(1, retryAfterSeconds), Map.of());
  }

  /** Seconds for the {@code Retry-After} header, or null. */
  public Long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** 501: what the request needs is not configured on this service; asking again will not help. */
  public static Problem notConfigured(String detail) {
    return new Problem(501, "urn:soma:problem:not-configured", "Not configured", detail);
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

  /** The problem's JSON; {@code instance} (the request's path) is left out when null. */
  public JsonObject toJson(String instance) {
    JsonObject json =
        new JsonObject()
            .put("type", type)
            .put("title", title)
            .put("status", status)
            .put("detail", getMessage());
    return instance == null ? json : json.put("instance", instance);
  }
}
