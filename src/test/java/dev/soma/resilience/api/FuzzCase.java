package dev.soma.resilience.api;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One malformed request of {@link ApiFuzzIT}: sent by an HTTP client, or, when {@link #raw} is set,
 * written byte for byte on a fresh connection (for what a client library refuses to send).
 *
 * @param kind the class of malformation (bad-json, nul, multipart, ...)
 * @param headers name and value pairs, in order (a name may repeat)
 */
record FuzzCase(
    String kind,
    String method,
    String uri,
    List<Map.Entry<String, String>> headers,
    Buffer body,
    Buffer raw) {

  static FuzzCase http(
      String kind,
      String method,
      String uri,
      List<Map.Entry<String, String>> headers,
      Buffer body) {
    return new FuzzCase(kind, method, uri, List.copyOf(headers), body, null);
  }

  static FuzzCase raw(String kind, String method, String uri, Buffer raw) {
    return new FuzzCase(kind, method, uri, List.of(), null, raw);
  }

  /** What to print for a failing case: enough to see it, short enough to read. */
  String describe() {
    StringBuilder s = new StringBuilder(kind).append(": ").append(method).append(' ');
    s.append(uri.length() > 160 ? uri.substring(0, 160) + "...(" + uri.length() + ")" : uri);
    for (Map.Entry<String, String> h : headers) {
      String value = h.getValue();
      s.append(" [")
          .append(h.getKey())
          .append(": ")
          .append(value.length() > 60 ? value.substring(0, 60) + "..." : value)
          .append(']');
    }
    Buffer bytes = raw != null ? raw : body;
    if (bytes != null && bytes.length() > 0) {
      String text = bytes.toString(StandardCharsets.UTF_8);
      s.append(raw != null ? " raw " : " body ")
          .append(
              text.length() > 200 ? text.substring(0, 200) + "...(" + bytes.length() + ")" : text);
    }
    return s.toString().replace("\r\n", "\\r\\n").replace("\u0000", "\\0");
  }
}
