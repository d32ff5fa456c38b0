package dev.soma.resilience.api;

import dev.soma.resilience.common.http.Problem;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Strict reading of a JSON request body: plain JSON ({@link StrictJson}), an object, only known
 * fields, typed values, and text that can be stored as sent (no NUL, no unpaired surrogate, at any
 * depth: {@link StoredText}). Every problem is a 400 {@link Problem} naming the field, raised
 * before anything is written.
 */
public final class JsonBody {

  private final JsonObject json;

  private JsonBody(JsonObject json) {
    this.json = json;
  }

  /** {@link #parse}, or null when there is no body (for requests whose body is optional). */
  public static JsonBody parseIfAny(Buffer body, Set<String> allowed) {
    return body == null || body.length() == 0 ? null : parse(body, allowed);
  }

  /** Parses {@code body}, rejecting anything but a JSON object with only {@code allowed} fields. */
  public static JsonBody parse(Buffer body, Set<String> allowed) {
    if (body == null || body.length() == 0) {
      throw Problem.badRequest("the request needs a JSON object body");
    }
    if (!(StrictJson.decode(body) instanceof JsonObject object)) {
      throw Problem.badRequest("the body must be a JSON object");
    }
    for (String field : object.fieldNames()) {
      if (!allowed.contains(field)) {
        throw Problem.badRequest(
            "unknown field '" + safe(field) + "'; allowed: " + new TreeSet<>(allowed));
      }
    }
    StoredText.check("", object);
    return new JsonBody(object);
  }

  /** A field name fit to quote back: one with a NUL or a lone surrogate is described instead. */
  static String safe(String field) {
    return StoredText.problemIn(field) == null ? field : "(a name with a character refused)";
  }

  /** A required, non-blank string of at most {@code maxLength} characters. */
  public String requiredString(String field, int maxLength) {
    String value = optionalString(field, maxLength);
    if (value == null || value.isBlank()) {
      throw Problem.badRequest("'" + field + "' is required and must be a non-empty string");
    }
    return value;
  }

  /** An optional string of at most {@code maxLength} characters; null when absent. */
  public String optionalString(String field, int maxLength) {
    Object value = value(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text)) {
      throw Problem.badRequest("'" + field + "' must be a string");
    }
    if (text.length() > maxLength) {
      throw Problem.badRequest("'" + field + "' must be at most " + maxLength + " characters");
    }
    return text;
  }

  /**
   * An optional one-line text an operator gives (a name, a label, a reason) of at most {@code
   * maxLength} characters, without a control character: a newline or an escape sequence would reach
   * every listing, log line and terminal that shows it. Null when absent.
   */
  public String optionalLine(String field, int maxLength) {
    String text = optionalString(field, maxLength);
    if (text != null && text.chars().anyMatch(Character::isISOControl)) {
      throw Problem.badRequest("'" + field + "' must not contain a control character");
    }
    return text;
  }

  /** {@link #optionalLine}, required and not blank. */
  public String requiredLine(String field, int maxLength) {
    String text = optionalLine(field, maxLength);
    if (text == null || text.isBlank()) {
      throw Problem.badRequest("'" + field + "' is required and must be a non-empty string");
    }
    return text;
  }

  /** An optional identifier: 1-128 characters of [A-Za-z0-9._:-]. */
  public String optionalId(String field) {
    String value = optionalString(field, 128);
    if (value != null && !Ids.valid(value)) {
      throw Problem.badRequest("'" + field + "' must be 1-128 characters of [A-Za-z0-9._:-]");
    }
    return value;
  }

  /** One of {@code allowed}, or {@code fallback} when absent. */
  public String oneOf(String field, Set<String> allowed, String fallback) {
    String value = optionalString(field, 64);
    if (value == null) {
      return fallback;
    }
    if (!allowed.contains(value)) {
      throw Problem.badRequest("'" + field + "' must be one of " + allowed);
    }
    return value;
  }

  /** An optional whole number in {@code [min, max]}; {@code fallback} when absent. */
  public int intIn(String field, int min, int max, int fallback) {
    Object value = value(field);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Integer || value instanceof Long)
        || ((Number) value).longValue() < min
        || ((Number) value).longValue() > max) {
      throw Problem.badRequest("'" + field + "' must be a whole number from " + min + " to " + max);
    }
    return ((Number) value).intValue();
  }

  /**
   * An optional array of at most {@code maxItems} strings of 1-{@code maxLength} characters; empty
   * when absent.
   */
  public List<String> optionalStrings(String field, int maxItems, int maxLength) {
    Object value = value(field);
    if (value == null) {
      return List.of();
    }
    String expected =
        "'"
            + field
            + "' must be an array of at most "
            + maxItems
            + " strings of 1-"
            + maxLength
            + " characters";
    if (!(value instanceof JsonArray array) || array.size() > maxItems) {
      throw Problem.badRequest(expected);
    }
    List<String> strings = new ArrayList<>();
    for (Object item : array) {
      if (!(item instanceof String text) || text.isEmpty() || text.length() > maxLength) {
        throw Problem.badRequest(expected);
      }
      strings.add(text);
    }
    return strings;
  }

  /** An optional boolean; null when absent. */
  public Boolean optionalBoolean(String field) {
    Object value = value(field);
    if (value != null && !(value instanceof Boolean)) {
      throw Problem.badRequest("'" + field + "' must be true or false");
    }
    return (Boolean) value;
  }

  /** An optional JSON object; empty when absent. */
  public JsonObject object(String field) {
    Object value = value(field);
    if (value == null) {
      return new JsonObject();
    }
    if (!(value instanceof JsonObject object)) {
      throw Problem.badRequest("'" + field + "' must be a JSON object");
    }
    return object;
  }

  /**
   * The field's value, null when absent. An explicit {@code null} is refused: the API document
   * types every field, and a client that means "absent" leaves the field out.
   */
  private Object value(String field) {
    Object value = json.getValue(field);
    if (value == null && json.containsKey(field)) {
      throw Problem.badRequest("'" + field + "' must not be null; leave it out instead");
    }
    return value;
  }

  /** A required JSON value of any type (object, array, string, number, boolean). */
  public Object requiredValue(String field) {
    if (!json.containsKey(field) || json.getValue(field) == null) {
      throw Problem.badRequest("'" + field + "' is required");
    }
    return json.getValue(field);
  }
}
