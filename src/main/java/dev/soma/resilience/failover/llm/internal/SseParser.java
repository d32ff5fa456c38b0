package dev.soma.resilience.failover.llm.internal;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Incremental Server-Sent Events parser: feed it the response's buffers as they arrive (split
 * anywhere, even inside a UTF-8 character); it emits each event when its blank line arrives.
 * Comment lines ({@code :}) are skipped; several {@code data:} lines join with a newline.
 */
final class SseParser {

  /** One event: {@code event} is empty when the stream gave no {@code event:} line. */
  record Event(String event, String data) {}

  private final Consumer<Event> events;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private String event = "";
  private StringBuilder data;

  SseParser(Consumer<Event> events) {
    this.events = events;
  }

  void feed(Buffer buffer) {
    byte[] bytes = buffer.getBytes();
    for (byte b : bytes) {
      if (b == '\n') {
        onLine(stripCarriageReturn(line.toString(StandardCharsets.UTF_8)));
        line.reset();
      } else {
        line.write(b);
      }
    }
  }

  private void onLine(String text) {
    if (text.isEmpty()) {
      if (data != null) {
        Event ready = new Event(event, data.toString());
        event = "";
        data = null;
        events.accept(ready);
      } else {
        event = "";
      }
      return;
    }
    if (text.startsWith(":")) {
      return;
    }
    int colon = text.indexOf(':');
    String field = colon < 0 ? text : text.substring(0, colon);
    String value = colon < 0 ? "" : text.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    if (field.equals("event")) {
      event = value;
    } else if (field.equals("data")) {
      data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
    }
  }

  private static String stripCarriageReturn(String text) {
    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
  }
}
