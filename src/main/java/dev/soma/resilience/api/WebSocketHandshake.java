package dev.soma.resilience.api;

import dev.soma.resilience.common.http.Problem;
import io.vertx.core.http.HttpServerRequest;
import java.util.Locale;

/** The checks of a WebSocket handshake made before Vert.x is asked to upgrade. */
final class WebSocketHandshake {

  private WebSocketHandshake() {}

  /**
   * Refuses a request that is not a WebSocket handshake Vert.x would accept, with problem+json:
   * left to Vert.x, a missing {@code Upgrade} fails on the already read request (500) and the other
   * faults answer bare 400/426 text.
   */
  static void check(HttpServerRequest request) {
    if (!"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
      throw Problem.upgradeRequired("GET /v1/ws is a WebSocket: send 'Upgrade: websocket'");
    }
    String connection = request.getHeader("Connection");
    if (connection == null || !connection.toLowerCase(Locale.ROOT).contains("upgrade")) {
      throw Problem.badRequest("a WebSocket handshake needs 'Connection: Upgrade'");
    }
    if (!"13".equals(request.getHeader("Sec-WebSocket-Version"))) {
      throw Problem.upgradeRequired("only WebSocket version 13 is supported")
          .withHeader("Sec-WebSocket-Version", "13");
    }
    String key = request.getHeader("Sec-WebSocket-Key");
    if (key == null || key.isBlank()) {
      throw Problem.badRequest("a WebSocket handshake needs a 'Sec-WebSocket-Key'");
    }
  }
}
