package dev.soma.resilience.api;

import dev.soma.resilience.common.http.Problem;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The first handler of every route: refuses a path or query parameter carrying a control character
 * ({@code %00}-{@code %1F}, {@code %7F}-{@code %9F}) or a malformed percent-encoding with a 400
 * naming where it is, and a header that names one thing (the API key, the operator, the idempotency
 * key, the body's type) given twice, before authentication or any body is read. Identifiers are
 * checked again, more strictly, by the routes that read them ({@link Ids}).
 */
final class RequestHygiene implements Handler<RoutingContext> {

  /**
   * Headers that name one thing: given twice, one reader (a proxy) may act on the first and another
   * on the last (two API keys of two tenants, two operators, two idempotency keys).
   */
  private static final List<String> SINGLE_HEADERS =
      List.of("Authorization", "Content-Type", Operator.HEADER, IdempotencyKey.HEADER);

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
    String rawQuery = ctx.request().query();
    if (rawQuery != null) {
      for (String part : rawQuery.split("[&=]", -1)) {
        decode(part, "the query string");
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
    for (String name : SINGLE_HEADERS) {
      if (ctx.request().headers().getAll(name).size() > 1) {
        throw Problem.badRequest("the '" + name + "' header is given more than once; send it once");
      }
    }
    ctx.next();
  }

  /**
   * {@code raw} percent-decoded as UTF-8, strictly: a malformed escape, or bytes that are not UTF-8
   * (an overlong form, an encoded surrogate, a stray byte), is a 400 rather than a silent U+FFFD.
   */
  private static String decode(String raw, String where) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    try {
      for (int i = 0; i < raw.length(); i++) {
        char c = raw.charAt(i);
        if (c == '%') {
          bytes.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
          i += 2;
        } else {
          bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
        }
      }
      return StrictUtf8.decoder().decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
      throw Problem.badRequest(where + " is not valid percent-encoded text");
    } catch (CharacterCodingException e) {
      throw Problem.badRequest(where + " is not valid UTF-8 once percent-decoded");
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
