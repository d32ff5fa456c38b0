package dev.soma.resilience.testing.providers;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * Reads the doubles' request bodies; a body that is not what the provider expects reads as null.
 */
final class AudioBodies {

  private AudioBodies() {}

  static String jsonString(Buffer body, String field) {
    try {
      Object value = new JsonObject(body).getValue(field);
      return value instanceof String s ? s : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  static JsonObject json(Buffer body) {
    try {
      return new JsonObject(body);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
