package dev.soma.resilience.api;

import dev.soma.resilience.chat.AgentTurns;
import dev.soma.resilience.chat.TurnRequest;
import dev.soma.resilience.common.http.Problem;
import dev.soma.resilience.degradation.DegradationStatusView;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code GET /v1/ws}: a WebSocket for agents. It opens with a {@code status} message holding the
 * degradation snapshot and pushes each later change as a {@code status} message while it is open
 * (and only then: its listener goes when it closes). A {@code chat} message is one agent turn,
 * answered as {@code token} messages and an {@code end} (or an {@code error}); a message that is
 * not a valid chat is answered with an {@code error} carrying the problem's status, and the socket
 * stays open; a message larger than a JSON body closes the socket with 1009, a binary one with
 * 1003, a text one whose bytes are not UTF-8 with 1007 ({@link Utf8Frames}).
 */
final class ChatSocket {

  /** A WebSocket chat message: the fields of {@code POST /v1/chat}, and its {@code type}. */
  static final Set<String> FIELDS =
      Stream.concat(ChatBody.FIELDS.stream(), Stream.of("type"))
          .collect(Collectors.toUnmodifiableSet());

  private final AgentTurns turns;
  private final DegradationStatusView status;

  ChatSocket(AgentTurns turns, DegradationStatusView status) {
    this.turns = turns;
    this.status = status;
  }

  /** Upgrades the request, or fails it with a 400 {@link Problem} when it is no WebSocket's. */
  void open(RoutingContext ctx) {
    String tenant = TenantGate.tenant(ctx);
    try {
      WebSocketHandshake.check(ctx.request());
    } catch (Problem refused) {
      ctx.request().resume(); // the gate paused it for the upgrade: let the connection go on
      throw refused;
    }
    ctx.request()
        .toWebSocket()
        .onSuccess(
            ws -> {
              send(
                  ws,
                  new JsonObject()
                      .put("type", "status")
                      .put("snapshot", status.current().toJson()));
              DegradationStatusView.Subscription pushes =
                  status.onChange(
                      change ->
                          send(
                              ws,
                              new JsonObject()
                                  .put("type", "status")
                                  .put("change", change.toJson())));
              ws.closeHandler(v -> pushes.cancel());
              if (ws.isClosed()) {
                pushes.cancel();
              }
              Utf8Frames utf8 = new Utf8Frames();
              ws.frameHandler(
                  frame -> {
                    if (!utf8.accept(frame) && !ws.isClosed()) {
                      close(ws, WebSocketCloseStatus.INVALID_PAYLOAD_DATA);
                    }
                  });
              // Vert.x may hand a message over before the frame handler saw its last frame (a
              // message in one frame): decide on the next turn of the loop, after both ran
              ws.textMessageHandler(
                  text ->
                      Vertx.currentContext()
                          .runOnContext(
                              v -> {
                                if (utf8.intact()) {
                                  onMessage(ws, tenant, text);
                                }
                              }));
              // this socket speaks JSON text: binary data is refused (1003), not ignored
              ws.binaryMessageHandler(
                  bytes -> close(ws, WebSocketCloseStatus.INVALID_MESSAGE_TYPE));
              ws.exceptionHandler(e -> refused(ws, e));
            })
        .onFailure(e -> ctx.fail(Problem.badRequest("a WebSocket upgrade was expected")));
  }

  /**
   * Closes the socket with 1009 when a message is larger than the limit (as large as a JSON body),
   * whether in one frame (its decoder refuses it) or in several (Vert.x drops the message and says
   * so only here, in an {@link IllegalStateException} whose text is all that tells it apart), and
   * with the decoder's status for another broken frame: the client learns why instead of seeing the
   * connection drop (1006) or its message vanish.
   */
  private static void refused(ServerWebSocket ws, Throwable e) {
    if (ws.isClosed()) {
      return;
    }
    if (e instanceof CorruptedWebSocketFrameException frame) {
      close(ws, frame.closeStatus());
    } else if (e instanceof IllegalStateException
        && String.valueOf(e.getMessage()).startsWith("Cannot process ")) {
      close(ws, WebSocketCloseStatus.MESSAGE_TOO_BIG);
    }
  }

  private static void close(ServerWebSocket ws, WebSocketCloseStatus status) {
    ws.close((short) status.code(), status.reasonText());
  }

  private void onMessage(ServerWebSocket ws, String tenant, String text) {
    TurnRequest turn;
    try {
      JsonBody body = JsonBody.parse(Buffer.buffer(text), FIELDS);
      if (!"chat".equals(body.oneOf("type", Set.of("chat"), "chat"))) {
        throw Problem.badRequest("unknown message type");
      }
      turn = ChatBody.turn(tenant, body);
    } catch (Problem p) {
      send(
          ws,
          new JsonObject()
              .put("type", "error")
              .put("status", p.status())
              .put("partial", false)
              .put("message", p.getMessage()));
      return;
    }
    turns
        .run(turn, token -> send(ws, new JsonObject().put("type", "token").put("text", token)))
        .onSuccess(result -> send(ws, new JsonObject().put("type", "end").put("result", result)))
        .onFailure(e -> send(ws, TurnErrors.message(e).put("type", "error")));
  }

  private static void send(ServerWebSocket ws, JsonObject message) {
    if (!ws.isClosed()) {
      ws.writeTextMessage(message.encode());
    }
  }
}
