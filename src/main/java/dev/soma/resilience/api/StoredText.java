package dev.soma.resilience.api;

import dev.soma.resilience.common.http.Problem;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Text the service can store as it was sent. PostgreSQL refuses a NUL character in {@code text} and
 * {@code jsonb} (errors 22021, 22P05), and an unpaired UTF-16 surrogate has no UTF-8 form (it would
 * silently become {@code ?}): both are refused with a 400 naming where they were found, at any
 * depth of a JSON body (values and field names), before anything is written. So is a number beyond
 * a double's range, which the parser reads as infinity and JSON can only write as the text {@code
 * "Infinity"}.
 */
final class StoredText {

  private StoredText() {}

  /** {@code text} cut to {@code max} characters (marked), to quote a caller's input back. */
  static String clip(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + "...";
  }

  /**
   * Checks every string and field name of {@code value}, {@code where} naming it for the caller.
   */
  static void check(String where, Object value) {
    if (value instanceof String text) {
      refuse("'" + where + "'", text);
    } else if (value instanceof JsonObject object) {
      for (var entry : object) {
        String field = where.isEmpty() ? entry.getKey() : where + "." + entry.getKey();
        refuse("the name of field '" + field + "'", entry.getKey());
        check(field, entry.getValue());
      }
    } else if (value instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        check(where + "[" + i + "]", array.getValue(i));
      }
    } else if (value instanceof Double number && number.isInfinite()) {
      throw Problem.badRequest(
          "'" + where + "' is a number too large to store (at most about 1.8e308 either way)");
    }
  }

  private static void refuse(String what, String text) {
    String problem = problemIn(text);
    if (problem != null) {
      throw Problem.badRequest(what + " contains " + problem);
    }
  }

  /** What is wrong with {@code text} (a NUL, an unpaired surrogate), or null when nothing is. */
  static String problemIn(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\u0000') {
        return "a NUL character (\\u0000), which cannot be stored";
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return "an unpaired UTF-16 surrogate, which is not valid Unicode text";
      }
    }
    return null;
  }
}
