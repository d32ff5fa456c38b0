package dev.soma.resilience.api;

import dev.soma.resilience.common.http.Problem;
import dev.soma.resilience.failover.audio.TranscriptionRequest;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * What a route's body may be, checked from the headers before the body is read (so before the body
 * handler, which would otherwise try to decode a form): a {@code multipart/form-data} or {@code
 * application/x-www-form-urlencoded} body is never read by this API (415, on every route); a JSON
 * route takes a body only as {@code application/json}, in UTF-8 (415 otherwise, including a body
 * with no {@code Content-Type} and one whose {@code charset} is not {@code utf-8}); an audio route
 * only as {@code audio/*}, {@code video/*} or {@code application/octet-stream} (the types the STT
 * chain takes). Raw-bytes routes (uploads) take any other type.
 */
final class BodyTypes implements Handler<RoutingContext> {

  private enum Kind {
    JSON,
    AUDIO,
    RAW
  }

  private final Kind kind;

  private BodyTypes(Kind kind) {
    this.kind = kind;
  }

  /** For routes whose body, when there is one, is a JSON object. */
  static BodyTypes json() {
    return new BodyTypes(Kind.JSON);
  }

  /** For routes whose body is audio to transcribe. */
  static BodyTypes audio() {
    return new BodyTypes(Kind.AUDIO);
  }

  /** For routes whose body is raw bytes (an upload): only forms are refused. */
  static BodyTypes rawBytes() {
    return new BodyTypes(Kind.RAW);
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
              + (kind == Kind.JSON
                  ? "; send JSON with 'Content-Type: application/json'"
                  : "; send the raw bytes"));
    }
    if (kind == Kind.JSON && hasBody(request) && !isJson(type)) {
      throw Problem.unsupportedMediaType(
          "this route reads JSON: send the body with 'Content-Type: application/json'"
              + (type.isEmpty() ? "" : " (not " + type + ")"));
    }
    String charset = charset(request.getHeader("Content-Type"));
    if (kind == Kind.JSON && hasBody(request) && !charset.isEmpty() && !charset.equals("utf-8")) {
      throw Problem.unsupportedMediaType(
          "JSON is read as UTF-8 (RFC 8259): send the body in UTF-8, with charset=utf-8 or none"
              + " (not charset="
              + charset
              + ")");
    }
    if (kind == Kind.AUDIO && hasBody(request) && !TranscriptionRequest.isAudioType(type)) {
      throw Problem.unsupportedMediaType(
          "this route reads audio: send the bytes with an audio type such as"
              + " 'Content-Type: audio/wav'"
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

  /** The {@code charset} parameter's value, lower case and unquoted; empty when absent. */
  private static String charset(String header) {
    if (header == null) {
      return "";
    }
    for (String parameter : header.split(";")) {
      int equals = parameter.indexOf('=');
      if (equals > 0 && parameter.substring(0, equals).trim().equalsIgnoreCase("charset")) {
        return parameter.substring(equals + 1).trim().replace("\"", "").toLowerCase(Locale.ROOT);
      }
    }
    return "";
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
