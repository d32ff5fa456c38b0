package dev.soma.resilience.api;

import dev.soma.resilience.common.http.Problem;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * What a route's body may be, checked from the headers before the body is read (so before the body
 * handler, which would otherwise try to decode a form): a {@code multipart/form-data} or {@code
 * application/x-www-form-urlencoded} body is never read by this API (415, on every route); a JSON
 * route takes a body only as {@code application/json}, parameters such as a charset aside (415
 * otherwise, including a body with no {@code Content-Type}). Raw-bytes routes (uploads, audio) take
 * any other type.
 */
final class BodyTypes implements Handler<RoutingContext> {

  private final boolean json;

  private BodyTypes(boolean json) {
    this.json = json;
  }

  /** For routes whose body, when there is one, is a JSON object. */
  static BodyTypes json() {
    return new BodyTypes(true);
  }

  /** For routes whose body is raw bytes (an upload, audio): only forms are refused. */
  static BodyTypes rawBytes() {
    return new BodyTypes(false);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String type = mediaType(request.getHeader("Content-Type"));
    if (type.startsWith("multipart/") || type.equals("application/x-www-form-urlencoded")) {
      throw Problem.unsupportedMediaType(
          "form bodies ("
              + type
              + ") are not accepted"
              + (json
                  ? "; send JSON with 'Content-Type: application/json'"
                  : "; send the raw bytes"));
    }
    if (json && hasBody(request) && !isJson(type)) {
      throw Problem.unsupportedMediaType(
          "this route reads JSON: send the body with 'Content-Type: application/json'"
              + (type.isEmpty() ? "" : " (not " + type + ")"));
    }
    ctx.next();
  }

  /** The type and subtype, lower case, without parameters; empty when absent. */
  static String mediaType(String header) {
    if (header == null) {
      return "";
    }
    int semicolon = header.indexOf(';');
    return (semicolon < 0 ? header : header.substring(0, semicolon))
        .trim()
        .toLowerCase(Locale.ROOT);
  }

  private static boolean isJson(String type) {
    // a +json type names another format (a JSON Patch, say): not the object this route reads
    return type.equals("application/json");
  }

  private static boolean hasBody(HttpServerRequest request) {
    String length = request.getHeader("Content-Length");
    if (length != null) {
      return !length.trim().equals("0");
    }
    return request.getHeader("Transfer-Encoding") != null;
  }
}
