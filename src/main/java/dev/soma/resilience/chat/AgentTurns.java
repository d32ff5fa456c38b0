package dev.soma.resilience.chat;

import dev.soma.resilience.degradation.DegradationLevel;
import dev.soma.resilience.degradation.DegradationStatusView;
import dev.soma.resilience.degradation.DependencyStatus;
import dev.soma.resilience.degradation.HealthState;
import dev.soma.resilience.failover.llm.LlmFailure;
import dev.soma.resilience.failover.llm.LlmReply;
import dev.soma.resilience.journal.JournaledWrites;
import dev.soma.resilience.memory.MemoryService;
import dev.soma.resilience.outbox.Outbox;
import dev.soma.resilience.session.SessionContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One agent turn, the seeds' reusable pattern: (1) store the user's message with its event, so it
 * is never lost whatever happens next; (2) read the degradation status; (3) recall memory, or use
 * the session's context alone while SomaBrain is not usable ({@link TurnContext}); (4) ask the LLM
 * through the failover chain ({@link TurnPrompt}); (5) store the answer with its event. The result
 * says which provider served and what was degraded. Used by {@code POST /v1/chat} (whole or SSE)
 * and the WebSocket.
 *
 * <p>While PostgreSQL cannot be reached, both messages are journaled ({@link JournaledMessage},
 * through {@link JournaledWrites}) instead of stored, in conversation order, and the turn is still
 * answered; its result then says {@code "status": "journaled"}.
 */
public final class AgentTurns {

  /** The capability a turn exercises, in the degradation graph. */
  static final String CHAT = "chat";

  private final Vertx vertx;
  private final JournaledWrites writes;
  private final JournaledMessage messages;
  private final TurnContext turnContext;
  private final SessionContext sessions;
  private final DegradationStatusView status;
  private final LanguageModel model;

  public AgentTurns(
      Vertx vertx,
      JournaledWrites writes,
      Outbox outbox,
      MemoryService memories,
      SessionContext sessions,
      DegradationStatusView status,
      Duration deadline) {
    this.vertx = vertx;
    this.writes = writes;
    this.messages = new JournaledMessage(new Conversations(outbox));
    this.turnContext = new TurnContext(memories, sessions, status);
    this.sessions = sessions;
    this.status = status;
    this.model = new LanguageModel(vertx, deadline);
  }

  /**
   * Runs a turn. With {@code onToken} null the answer comes whole; otherwise each token is handed
   * to it as it arrives and the result follows the last one. Fails with {@link LlmFailure} when no
   * provider answered, with {@link Conversations.DuplicateMessage} when the message id is taken
   * (known only while the database answers: a journaled duplicate is stored once by the replay).
   */
  public Future<JsonObject> run(TurnRequest turn, Consumer<String> onToken) {
    return run(turn, onToken, Optional.empty());
  }

  /**
   * As above; should the answer be journaled, it is under {@code keyed}'s {@code Idempotency-Key},
   * which then answers the turn's result (fails with {@link
   * dev.soma.resilience.journal.Journal.KeyJournaled} when the key is journaled already).
   */
  public Future<JsonObject> run(
      TurnRequest turn, Consumer<String> onToken, Optional<JournaledWrites.Keyed> keyed) {
    return store(
            turn,
            turn.messageId(),
            "user",
            turn.content(),
            new JsonObject(),
            null,
            Optional.empty())
        .compose(stored -> answer(turn, onToken, keyed, stored.journaled()));
  }

  /**
   * Answers a turn whose user message is already stored: a retry, under its {@code
   * Idempotency-Key}, of a turn that failed after storing it. Nothing is stored twice.
   */
  public Future<JsonObject> resume(
      TurnRequest turn, Consumer<String> onToken, Optional<JournaledWrites.Keyed> keyed) {
    return answer(turn, onToken, keyed, false);
  }

  private Future<JsonObject> answer(
      TurnRequest turn,
      Consumer<String> onToken,
      Optional<JournaledWrites.Keyed> keyed,
      boolean userJournaled) {
    String replyId = turn.messageId() + ":reply";
    return turnContext
        .of(turn)
        .compose(
            context ->
                ask(turn, context, onToken)
                    .recover(
                        e ->
                            storeReply(turn, replyId, partialOf(e), null, null, Optional.empty())
                                .transform(stored -> Future.failedFuture(e)))
                    .compose(
                        reply -> {
                          JsonObject answer =
                              answer(turn, replyId, reply, context, degradedServices());
                          return storeReply(turn, replyId, reply.content(), reply, answer, keyed)
                              .map(
                                  journaled ->
                                      journaled || userJournaled
                                          ? answer.put("status", "journaled")
                                          : answer);
                        }));
  }

  /** What the caller gets for a turn that was answered. */
  private static JsonObject answer(
      TurnRequest turn, String replyId, LlmReply reply, JsonObject context, JsonArray degraded) {
    return new JsonObject()
        .put("conversationId", turn.conversationId())
        .put("messageId", turn.messageId())
        .put("replyId", replyId)
        .put("content", reply.content())
        .put("provider", reply.provider())
        .put("model", reply.model())
        .put("failovers", reply.toJson().getJsonArray("failovers"))
        .put("context", context.getString("source"))
        .put("degraded", degraded);
  }

  /**
   * Stores one message of the turn's conversation in a transaction of its own, or journals it;
   * {@code turn}, the answer, goes with it when it is journaled under {@code keyed}'s key.
   */
  private Future<JournaledWrites.Outcome> store(
      TurnRequest turn,
      String messageId,
      String role,
      String content,
      JsonObject metadata,
      JsonObject answer,
      Optional<JournaledWrites.Keyed> keyed) {
    JsonObject request =
        new ConversationMessage(
                turn.tenant(), turn.conversationId(), messageId, role, content, metadata)
            .toJson();
    if (answer != null && keyed.isPresent()) {
      request.put(JournaledMessage.TURN, answer.copy());
    }
    return writes.write(
        messages, turn.tenant(), request, answer == null ? Optional.empty() : keyed);
  }

  /**
   * What is degraded as the turn is answered: every configured service that is unavailable or above
   * level {@code none}, except {@code chat} itself, which has just answered (its own level says
   * only that it has less redundancy, which the degraded provider in the list tells). Services that
   * are not configured are not degraded: they are absent.
   */
  private JsonArray degradedServices() {
    JsonArray degraded = new JsonArray();
    status.current().services().values().stream()
        .filter(s -> s.state() != HealthState.NOT_CONFIGURED && !CHAT.equals(s.service()))
        .filter(s -> !s.state().isUsable() || s.level() != DegradationLevel.NONE)
        .map(DependencyStatus::service)
        .sorted()
        .forEach(degraded::add);
    return degraded;
  }

  private Future<LlmReply> ask(TurnRequest turn, JsonObject context, Consumer<String> onToken) {
    String useCase = turn.useCase() == null ? "chat" : turn.useCase();
    return model.ask(
        useCase, turn.tenant(), TurnPrompt.messages(turn, context), turn.maxTokens(), onToken);
  }

  /** The {@link LlmFailure} inside a failed turn, if that is what it was. */
  public static Optional<LlmFailure> failureOf(Throwable e) {
    if (e instanceof PartialTurn partial) {
      return Optional.of(partial.failure);
    }
    return e instanceof LlmFailure failed ? Optional.of(failed) : Optional.empty();
  }

  /** The cut-off text of a failed stream; empty when nothing reached the caller. */
  private static String partialOf(Throwable e) {
    return e instanceof PartialTurn p ? p.text : "";
  }

  /**
   * Stores the agent's answer with its event. A stream cut after its first token stores the part
   * the user saw, flagged {@code partial} (nothing the user saw goes unrecorded); a turn with no
   * answer at all stores nothing. Completes with whether the answer was journaled.
   */
  private Future<Boolean> storeReply(
      TurnRequest turn,
      String replyId,
      String content,
      LlmReply reply,
      JsonObject answer,
      Optional<JournaledWrites.Keyed> keyed) {
    if (content == null || content.isEmpty()) {
      return Future.succeededFuture(false);
    }
    JsonObject metadata = new JsonObject().put("partial", reply == null);
    if (reply != null) {
      metadata.put("provider", reply.provider()).put("model", reply.model());
    }
    return store(turn, replyId, "assistant", content, metadata, answer, keyed)
        .compose(stored -> appendToSession(turn, content).map(stored.journaled()));
  }

  /** The user's message and the answer, as the session's latest turns (when there is a session). */
  private Future<?> appendToSession(TurnRequest turn, String answer) {
    if (turn.sessionId() == null) {
      return Future.succeededFuture();
    }
    return sessions
        .append(
            turn.tenant(),
            turn.sessionId(),
            new JsonObject().put("role", "user").put("content", turn.content()))
        .compose(
            v ->
                sessions.append(
                    turn.tenant(),
                    turn.sessionId(),
                    new JsonObject().put("role", "assistant").put("content", answer)));
  }
}
