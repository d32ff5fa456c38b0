package dev.soma.resilience.api;

import dev.soma.resilience.chat.TurnRequest;
import dev.soma.resilience.common.http.Problem;
import java.util.Set;
import java.util.UUID;

/**
 * The body of a chat turn, as {@code POST /v1/chat} and a WebSocket {@code chat} message carry it
 * (docs/openapi.yaml): a {@code conversationId} (required), an optional {@code messageId} (a new
 * one when absent), the {@code message} (at most 32 768 characters), an optional {@code sessionId},
 * {@code useCase} ({@code chat}, {@code coding} or {@code fast}; {@code chat} when absent) and
 * {@code maxTokens} (1 to 32 768). Bad input is a 400 {@link Problem}.
 */
final class ChatBody {

  /** The fields of {@code POST /v1/chat}. */
  static final Set<String> FIELDS =
      Set.of(
          "conversationId", "messageId", "message", "sessionId", "useCase", "maxTokens", "stream");

  private ChatBody() {}

  /** The tenant's turn that {@code body} asks for. */
  static TurnRequest turn(String tenant, JsonBody body) {
    String conversation = body.optionalId("conversationId");
    if (conversation == null) {
      throw Problem.badRequest("'conversationId' is required");
    }
    String messageId = body.optionalId("messageId");
    int maxTokens = body.intIn("maxTokens", 1, 32_768, 0);
    return new TurnRequest(
        tenant,
        conversation,
        messageId == null ? UUID.randomUUID().toString() : messageId,
        body.requiredString("message", 32_768),
        body.optionalId("sessionId"),
        body.oneOf("useCase", Set.of("chat", "coding", "fast"), "chat"),
        maxTokens == 0 ? null : maxTokens);
  }
}
