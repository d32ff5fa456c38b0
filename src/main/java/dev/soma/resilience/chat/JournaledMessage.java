package dev.soma.resilience.chat;

import io.vertx.core.json.JsonObject;

/**
 * A conversation message as a write the journal can hold: its {@link ConversationMessage#toJson},
 * stored by {@link Conversations#storeAll} with its event, live or replayed. A message id the
 * conversation already has is a duplicate: 409 live, "already applied" in a replay.
 *
 * <p>A chat turn's answer journaled under an {@code Idempotency-Key} carries the turn's whole
 * answer as {@code "turn"}: that is what the key answers (journaled, then stored by the replay),
 * rather than the message's own reply.
 */
public final class JournaledMessage extends JournaledRow<ConversationMessage> {

  public static final String NAME = "conversation.message";

  /** The field of a chat turn's answer that carries the whole answer. */
  public static final String TURN = "turn";

  public JournaledMessage(Conversations conversations) {
    super(
        NAME,
        "messageId",
        ConversationMessage::fromJson,
        conversations::storeAll,
        Conversations.DuplicateMessage.class);
  }

  @Override
  public JsonObject journaledReply(JsonObject request) {
    return request.containsKey(TURN) ? answerOf(request) : reply(request, "journaled");
  }

  /** The journaled answer of a chat turn's answer {@code request} (one with a {@code turn}). */
  public static JsonObject answerOf(JsonObject request) {
    return request.getJsonObject(TURN).copy().put("status", "journaled");
  }

  @Override
  public JsonObject appliedReply(JsonObject request) {
    JsonObject turn = request.getJsonObject(TURN);
    return turn != null ? turn.copy() : reply(request, "accepted");
  }
}
