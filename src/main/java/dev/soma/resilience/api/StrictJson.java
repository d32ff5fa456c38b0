package dev.soma.resilience.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.soma.resilience.common.http.Problem;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * Decodes a request's JSON as RFC 8259 writes it, refusing what Vert.x's own decoder lets through:
 * bytes that are not UTF-8, comments, and a name given twice in one object (which would keep the
 * last value silently, where another reader of the same text may keep the first). Every refusal is
 * a 400 {@link Problem}.
 */
final class StrictJson {

  /** Jackson's defaults: no comments, no single quotes, no unquoted names. */
  private static final JsonFactory PLAIN = new JsonFactory();

  private StrictJson() {}

  /** The JSON value of {@code body}, which is not empty. */
  static Object decode(Buffer body) {
    requireUtf8(body.getBytes());
    Object value;
    try {
      value = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw notJson();
    }
    requirePlain(body.getBytes());
    return value;
  }

  /**
   * JSON is UTF-8 (RFC 8259 section 8.1), and only UTF-8: a byte sequence that is not (an invalid
   * byte, an overlong form such as {@code C0 AF} for '/', an encoded surrogate) is refused, where a
   * lenient decoder would replace it or read it as another character.
   */
  private static void requireUtf8(byte[] json) {
    try {
      StrictUtf8.decoder().decode(ByteBuffer.wrap(json));
    } catch (CharacterCodingException e) {
      throw Problem.badRequest("the body is not valid UTF-8");
    }
  }

  private static void requirePlain(byte[] json) {
    Deque<Set<String>> objects = new ArrayDeque<>();
    try (JsonParser parser = PLAIN.createParser(json)) {
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        switch (token) {
          case START_OBJECT -> objects.push(new HashSet<>());
          case END_OBJECT -> objects.pop();
          case FIELD_NAME -> {
            String name = parser.currentName();
            if (!objects.element().add(name)) {
              throw Problem.badRequest(
                  "the field '" + JsonBody.safe(name) + "' is given twice in one object");
            }
          }
          default -> {}
        }
      }
    } catch (IOException e) {
      throw notJson();
    }
  }

  private static Problem notJson() {
    return Problem.badRequest("the body is not valid JSON");
  }
}
