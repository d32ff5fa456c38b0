package dev.soma.resilience.failover.audio;

import io.vertx.core.json.JsonObject;
import java.util.Base64;

/** Field checks shared by the audio messages; every failure names the field. */
final class MessageFields {

  private MessageFields() {}

  static void requireText(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be empty");
    }
  }

  static String string(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value != null && !(value instanceof String)) {
      throw new IllegalArgumentException(field + " must be a string");
    }
    return (String) value;
  }

  static byte[] base64(JsonObject json, String field) {
    String value = string(json, field);
    if (value == null) {
      return null;
    }
    try {
      return Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + " must be base64");
    }
  }
}
