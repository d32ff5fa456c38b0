package dev.soma.resilience.chat;

import dev.soma.resilience.degradation.DegradationStatusView;
import dev.soma.resilience.degradation.DependencyStatus;
import dev.soma.resilience.failover.FailoverAddresses;
import dev.soma.resilience.failover.LlmError;
import dev.soma.resilience.failover.LlmReply;
import dev.soma.resilience.failover.LlmRequest;
import dev.soma.resilience.failover.LlmStreamEvent;
import dev.soma.resilience.memory.MemoryService;
import dev.soma.resilience.outbox.Outbox;
import dev.soma.resilience.session.SessionContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * One agent turn, the seeds' reusable pattern: (1) store the user's message with its event, so it
 * is never lost whatever happens next; (2) read the degradation status; (3) recall memory, or use
 * the session's context alone while SomaBrain is not usable; (4) ask the LLM through the failover
 * chain; (5) store the answer with its event. The result says which provider served and what was
 * degraded. Used by {@code POST /v1/chat} (whole or SSE) and the WebSocket.
 */
public final class AgentTurns {

  static final String SYSTEM_PROMPT = "You are the Soma agent. Use the context when it helps.";

  private final Vertx vertx;
  private final Pool pool;
  private final Outbox outbox;
  private final Conversations conversations;
  private final MemoryService memories;
  private final SessionContext sessions;
  private final DegradationStatusView status;
  private final Duration deadline;

  public AgentTurns(
      Vertx vertx,
      Pool pool,
      Outbox outbox,
      MemoryService memories,
      SessionContext sessions,
      DegradationStatusView status,
      Duration deadline) {
    this.vertx = vertx;
    this.pool = pool;
    this.outbox = outbox;
    this.conversations = new Conversations(outbox);
    this.memories = memories;
    this.sessions = sessions;
    this.status = status;
    this.deadline = deadline;
  }

  /** A failed turn: the LLM chain could not answer (the user's message is stored anyway). */
  public static final class TurnFailed extends RuntimeException {
    private final LlmError error;
    private final boolean partial;

    TurnFailed(LlmError error, boolean partial) {
      super(error.message(), null, false, false);
      this.error = error;
      this.partial = partial;
    }

    public LlmError error() {
      return error;
    }

    public boolean partial() {
      return partial;
    }
  }

  /**
   * Runs a turn. With {@code onToken} null the answer comes whole; otherwise each token is handed
   * to it as it arrives and the result follows the last one. Fails with {@link TurnFailed} when no
   * provider answered, with {@link Conversations.DuplicateMessage} when the message id is taken.
   */
  public Future<JsonObject> run(TurnRequest turn, Consumer<String> onToken) {
    String replyId = turn.messageId() + ":reply";
    JsonArray degraded = degradedServices();
    return pool.withTransaction(
            tx ->
                conversations.store(
                    tx,
                    turn.tenant(),
                    turn.conversationId(),
                    turn.messageId(),
                    "user",
                    turn.content(),
                    new JsonObject()))
        .onSuccess(key -> outbox.committed())
        .compose(key -> context(turn))
        .compose(
            context ->
                ask(turn, context, onToken)
                    .recover(
                        e ->
                            storeReply(turn, replyId, partialOf(e), null, true)
                                .transform(stored -> Future.failedFuture(e)))
                    .compose(
                        reply ->
                            storeReply(turn, replyId, reply.content(), reply, false)
                                .map(
                                    v ->
                                        new JsonObject()
                                            .put("conversationId", turn.conversationId())
                                            .put("messageId", turn.messageId())
                                            .put("replyId", replyId)
                                            .put("content", reply.content())
                                            .put("provider", reply.provider())
                                            .put("model", reply.model())
                                            .put(
                                                "failovers",
                                                reply.toJson().getJsonArray("failovers"))
                                            .put("context", context.getString("source"))
                                            .put("degraded", degraded))));
  }

  private JsonArray degradedServices() {
    JsonArray degraded = new JsonArray();
    status.current().services().values().stream()
        .filter(s -> !s.state().isUsable() || s.level().ordinal() > 0)
        .map(DependencyStatus::service)
        .sorted()
        .forEach(degraded::add);
    return degraded;
  }

  /** Memories (when SomaBrain is usable) and the session's recent turns. */
  private Future<JsonObject> context(TurnRequest turn) {
    Future<JsonArray> recent =
        turn.sessionId() == null
            ? Future.succeededFuture(new JsonArray())
            : sessions.recent(turn.tenant(), turn.sessionId());
    boolean memoryUsable = status.isUsable(MemoryService.DEPENDENCY);
    Future<JsonObject> recalled =
        memoryUsable
            ? memories
                .recall(turn.tenant(), turn.content(), 5, null)
                .otherwise(new JsonObject().put("results", new JsonArray()).put("degraded", true))
            : Future.succeededFuture(
                new JsonObject().put("results", new JsonArray()).put("degraded", true));
    return Future.all(recent, recalled)
        .map(
            all -> {
              JsonObject memory = recalled.result();
              boolean sessionOnly = memory.getBoolean("degraded", false);
              return new JsonObject()
                  .put("session", recent.result())
                  .put("memories", memory.getJsonArray("results", new JsonArray()))
                  .put("source", sessionOnly ? "session-only" : "memory");
            });
  }

  private Future<LlmReply> ask(TurnRequest turn, JsonObject context, Consumer<String> onToken) {
    List<LlmRequest.Message> messages = new ArrayList<>();
    StringBuilder system = new StringBuilder(SYSTEM_PROMPT);
    JsonArray recalled = context.getJsonArray("memories");
    if (!recalled.isEmpty()) {
      system.append("\nWhat you remember:");
      recalled.forEach(m -> system.append("\n- ").append(describe(m)));
    }
    messages.add(new LlmRequest.Message("system", system.toString()));
    context
        .getJsonArray("session")
        .forEach(
            t -> {
              JsonObject turnJson = (JsonObject) t;
              String role = turnJson.getString("role", "user");
              if (role.equals("user") || role.equals("assistant")) {
                messages.add(new LlmRequest.Message(role, turnJson.getString("content", "")));
              }
            });
    messages.add(new LlmRequest.Message("user", turn.content()));
    String useCase = turn.useCase() == null ? "chat" : turn.useCase();
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(deadline.toMillis() + 2_000);
    if (onToken == null) {
      LlmRequest request =
          new LlmRequest(
              useCase,
              turn.tenant(),
              messages,
              Optional.ofNullable(turn.maxTokens()),
              Optional.empty(),
              Optional.of(deadline.toMillis()),
              Optional.empty());
      return vertx
          .eventBus()
          .<JsonObject>request(FailoverAddresses.LLM_COMPLETE, request.toJson(), options)
          .map(reply -> LlmReply.fromJson(reply.body()))
          .recover(e -> Future.failedFuture(new TurnFailed(llmError(e), false)));
    }
    return stream(useCase, turn, messages, onToken, options);
  }

  private Future<LlmReply> stream(
      String useCase,
      TurnRequest turn,
      List<LlmRequest.Message> messages,
      Consumer<String> onToken,
      DeliveryOptions options) {
    String address = "chat.stream." + UUID.randomUUID();
    Promise<LlmReply> done = Promise.promise();
    StringBuilder seen = new StringBuilder();
    MessageConsumer<JsonObject> events =
        vertx
            .eventBus()
            .consumer(
                address,
                message -> {
                  LlmStreamEvent event = LlmStreamEvent.fromJson(message.body());
                  switch (event.type()) {
                    case "token" ->
                        event
                            .text()
                            .ifPresent(
                                text -> {
                                  seen.append(text);
                                  onToken.accept(text);
                                });
                    case "end" -> done.tryComplete(event.reply().orElseThrow());
                    default ->
                        done.tryFail(
                            new PartialTurn(
                                new TurnFailed(event.error().orElseThrow(), event.partial()),
                                seen.toString()));
                  }
                });
    LlmRequest request =
        new LlmRequest(
            useCase,
            turn.tenant(),
            messages,
            Optional.ofNullable(turn.maxTokens()),
            Optional.empty(),
            Optional.of(deadline.toMillis()),
            Optional.of(address));
    events
        .completion()
        .compose(
            v -> vertx.eventBus().request(FailoverAddresses.LLM_STREAM, request.toJson(), options))
        .onFailure(e -> done.tryFail(new TurnFailed(llmError(e), false)));
    vertx.setTimer(
        deadline.toMillis() + 5_000,
        id ->
            done.tryFail(
                new PartialTurn(
                    new TurnFailed(
                        new LlmError(
                            LlmError.DEADLINE_EXCEEDED,
                            "the answer did not finish in" + " time",
                            Optional.empty(),
                            List.of()),
                        seen.length() > 0),
                    seen.toString())));
    return done.future()
        .eventually(events::unregister)
        .recover(e -> Future.failedFuture(e instanceof PartialTurn p ? p : e));
  }

  /** The chain's error, or "unavailable" when it did not answer at all (timeout, no handler). */
  private static LlmError llmError(Throwable e) {
    return LlmError.from(e)
        .orElseGet(
            () ->
                new LlmError(
                    LlmError.UNAVAILABLE,
                    "the LLM failover service did not answer: " + e.getMessage(),
                    Optional.empty(),
                    List.of()));
  }

  /** A stream that failed after some tokens: the text the caller already has. */
  static final class PartialTurn extends RuntimeException {
    final TurnFailed failure;
    final String text;

    PartialTurn(TurnFailed failure, String text) {
      super(failure.getMessage(), null, false, false);
      this.failure = failure;
      this.text = text;
    }
  }

  /** The {@link TurnFailed} inside a failed turn, if that is what it was. */
  public static Optional<TurnFailed> failureOf(Throwable e) {
    if (e instanceof PartialTurn partial) {
      return Optional.of(partial.failure);
    }
    return e instanceof TurnFailed failed ? Optional.of(failed) : Optional.empty();
  }

  /** The cut-off text of a failed stream; empty when nothing reached the caller. */
  private static String partialOf(Throwable e) {
    return e instanceof PartialTurn p ? p.text : "";
  }

  /**
   * Stores the agent's answer with its event. A stream cut after its first token stores the part
   * the user saw, flagged {@code partial} (nothing the user saw goes unrecorded); a turn with no
   * answer at all stores nothing.
   */
  private Future<Void> storeReply(
      TurnRequest turn, String replyId, String content, LlmReply reply, boolean partial) {
    if (content == null || content.isEmpty()) {
      return Future.succeededFuture();
    }
    JsonObject metadata = new JsonObject().put("partial", partial);
    if (reply != null) {
      metadata.put("provider", reply.provider()).put("model", reply.model());
    }
    return pool.withTransaction(
            tx ->
                conversations.store(
                    tx,
                    turn.tenant(),
                    turn.conversationId(),
                    replyId,
                    "assistant",
                    content,
                    metadata))
        .onSuccess(key -> outbox.committed())
        .compose(
            key ->
                turn.sessionId() == null
                    ? Future.succeededFuture()
                    : sessions
                        .append(
                            turn.tenant(),
                            turn.sessionId(),
                            new JsonObject().put("role", "user").put("content", turn.content()))
                        .compose(
                            v ->
                                sessions.append(
                                    turn.tenant(),
                                    turn.sessionId(),
                                    new JsonObject()
                                        .put("role", "assistant")
                                        .put("content", content))))
        .mapEmpty();
  }

  private static String describe(Object memory) {
    if (memory instanceof JsonObject json) {
      Object content = json.getValue("content");
      if (content instanceof JsonObject value) {
        return value.getString("content", value.getString("text", value.encode()));
      }
      return String.valueOf(content);
    }
    return String.valueOf(memory);
  }
}
