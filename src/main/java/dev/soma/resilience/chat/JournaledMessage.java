package dev.soma.resilience.chat;

import dev.soma.resilience.common.db.Transaction;
import dev.soma.resilience.journal.BatchedKind;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A conversation message as a write the journal can hold: its {@link ConversationMessage#toJson},
 * stored by {@link Conversations#storeAll} with its event, live or replayed. A message id the
 * conversation already has is a duplicate: 409 live, "already applied" in a replay.
 *
 * <p>A chat turn's answer journaled under an {@code Idempotency-Key} carries the turn's whole
 * answer as {@code "turn"}: that is what the key answers (journaled, then stored by the replay),
 * rather than the message's own reply.
 */
public final class JournaledMessage implements BatchedKind<ConversationMessage> {

  public static final String NAME = "conversation.message";

  /** The field of a chat turn's answer that carries the whole answer. */
  public static final String TURN = "turn";

  private final Conversations conversations;

  public JournaledMessage(Conversations conversations) {
    this.conversations = conversations;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String dedupeKey(String tenant, JsonObject request) {
    return Conversations.eventKey(
        request.getString("conversationId"), request.getString("messageId"));
  }

  @Override
  public ConversationMessage row(String tenant, JsonObject request) {
    return ConversationMessage.fromJson(tenant, request);
  }

  @Override
  public Future<List<String>> storeAll(Transaction tx, List<ConversationMessage> messages) {
    return conversations.storeAll(tx, messages);
  }

  @Override
  public boolean alreadyApplied(Throwable failure) {
    return failure instanceof Conversations.DuplicateMessage;
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

  private JsonObject reply(JsonObject request, String status) {
    return new JsonObject()
        .put("conversationId", request.getString("conversationId"))
        .put("messageId", request.getString("messageId"))
        .put("status", status)
        .put("eventKey", dedupeKey("", request));
  }
}
