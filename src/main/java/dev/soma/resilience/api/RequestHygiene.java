package dev.soma.resilience.api;

import dev.soma.resilience.common.http.Problem;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The first handler of every API route: refuses a path or query parameter carrying a control
 * character ({@code %00}-{@code %1F}, {@code %7F}-{@code %9F}) or a malformed percent-encoding with
 * a 400 naming where it is, before authentication or any body is read. Identifiers are checked
 * again, more strictly, by the routes that read them ({@link Ids}).
 */
final class RequestHygiene implements Handler<RoutingContext> {

  @Override
  public void handle(RoutingContext ctx) {
    String[] segments = ctx.request().path().split("/", -1);
    for (int i = 1; i < segments.length; i++) {
      String segment = decode(segments[i], "path segment " + i);
      if (hasControl(segment)) {
        throw Problem.badRequest(
            "path segment " + i + " ('" + visible(segment) + "') contains a control character");
      }
    }
    MultiMap query;
    try {
      query = ctx.queryParams();
    } catch (RuntimeException e) {
      throw Problem.badRequest("the query string is not valid percent-encoded text");
    }
    for (var entry : query) {
      if (hasControl(entry.getKey())) {
        throw Problem.badRequest(
            "a query parameter name ('" + visible(entry.getKey()) + "') has a control character");
      }
      if (hasControl(entry.getValue()) || StoredText.problemIn(entry.getValue()) != null) {
        throw Problem.badRequest(
            "query parameter '" + entry.getKey() + "' contains a control character");
      }
    }
    ctx.next();
  }

  private static String decode(String segment, String where) {
    try {
      return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw Problem.badRequest(where + " is not valid percent-encoded text");
    }
  }

  private static boolean printable(int c) {
    return !Character.isISOControl(c) && (c < 0xD800 || c > 0xDFFF);
  }

  private static boolean hasControl(String text) {
    return text.chars().anyMatch(Character::isISOControl);
  }

  private static String visible(String text) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), 64));
    text.codePoints().limit(64).forEach(c -> out.appendCodePoint(printable(c) ? c : (int) '?'));
    return out.toString().replace("'", "?");
  }
}
