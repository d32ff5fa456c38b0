package dev.soma.resilience.api;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One request written byte for byte on a fresh connection, for what an HTTP client refuses to send
 * (control characters, oversized lines, broken upgrades); the answer read until the server closes,
 * the body is complete, or the connection switched protocols.
 */
final class RawExchange {

  /** A parsed HTTP/1.1 answer; header names lower case. */
  record Response(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name);
    }
  }

  private RawExchange() {}

  static Future<Response> send(Vertx vertx, NetClient net, int port, Buffer request) {
    Promise<Response> answer = Promise.promise();
    net.connect(port, "127.0.0.1")
        .onFailure(answer::tryFail)
        .onSuccess(
            socket -> {
              Buffer received = Buffer.buffer();
              long timer =
                  vertx.setTimer(
                      5_000,
                      t -> {
                        answer.tryFail("no complete answer in 5 s: " + text(received));
                        socket.close();
                      });
              socket.handler(
                  chunk -> {
                    received.appendBuffer(chunk);
                    Response complete = parse(received, false);
                    if (complete != null && answer.tryComplete(complete)) {
                      vertx.cancelTimer(timer);
                      socket.close();
                    }
                  });
              socket.closeHandler(
                  v -> {
                    vertx.cancelTimer(timer);
                    Response last = parse(received, true);
                    if (last != null) {
                      answer.tryComplete(last);
                    } else {
                      answer.tryFail(
                          "closed without an answer after " + received.length() + " bytes");
                    }
                  });
              socket.write(request);
            });
    return answer.future();
  }

  /** The answer in {@code bytes}, or null while incomplete (and {@code closed} is false). */
  private static Response parse(Buffer bytes, boolean closed) {
    String all = text(bytes);
    int end = all.indexOf("\r\n\r\n");
    if (end < 0) {
      return null;
    }
    String[] lines = all.substring(0, end).split("\r\n");
    String[] statusLine = lines[0].split(" ", 3);
    if (statusLine.length < 2) {
      return null;
    }
    int status = Integer.parseInt(statusLine[1]);
    Map<String, String> headers = new TreeMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(
            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
    }
    String body = all.substring(end + 4);
    String length = headers.get("content-length");
    boolean whole =
        status == 101
            || closed
            || (length != null
                && body.getBytes(StandardCharsets.UTF_8).length >= Integer.parseInt(length));
    return whole ? new Response(status, headers, body) : null;
  }

  private static String text(Buffer bytes) {
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
