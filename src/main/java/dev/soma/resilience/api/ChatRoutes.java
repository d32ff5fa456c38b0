package dev.soma.resilience.api;

import dev.soma.resilience.chat.AgentTurns;
import dev.soma.resilience.chat.Conversations;
import dev.soma.resilience.chat.JournaledMessage;
import dev.soma.resilience.chat.TurnRequest;
import dev.soma.resilience.common.db.DatabaseErrors;
import dev.soma.resilience.common.http.Problem;
import dev.soma.resilience.degradation.DegradationStatusView;
import dev.soma.resilience.idempotency.IdempotentRequests;
import dev.soma.resilience.journal.Journal;
import dev.soma.resilience.journal.JournalRecord;
import dev.soma.resilience.journal.JournalReplay;
import dev.soma.resilience.journal.JournaledWrites;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code POST /v1/chat}: one agent turn, answered whole (JSON) or streamed (SSE when {@code
 * "stream": true} or {@code Accept: text/event-stream}); and {@code GET /v1/ws}, a WebSocket for
 * agents ({@link ChatSocket}): chat messages in, tokens out, degradation status changes pushed as
 * they happen. An SSE stream ({@link TurnStream}) carries the status changes that happen while it
 * is open as {@code status} events. Each socket and stream listens to the status view only while it
 * is open.
 *
 * <p>While PostgreSQL cannot be reached a turn is still answered, its messages journaled ({@link
 * AgentTurns}): a whole answer is then {@code 202} with {@code "status": "journaled"}, a stream's
 * and a socket's {@code end} says the same. An {@code Idempotency-Key} is then journaled with the
 * answer: sent again while it waits, it gets that answer again; after the replay, the stored one.
 */
final class ChatRoutes {

  private final AgentTurns turns;
  private final IdempotentCreate create;
  private final IdempotentRequests requests;
  private final JournaledWrites writes;
  private final TurnStream stream;
  private final ChatSocket socket;

  ChatRoutes(
      AgentTurns turns,
      IdempotentCreate create,
      IdempotentRequests requests,
      JournaledWrites writes,
      DegradationStatusView status) {
    this.create = create;
    this.turns = turns;
    this.requests = requests;
    this.writes = writes;
    this.stream = new TurnStream(turns, status);
    this.socket = new ChatSocket(turns, status);
  }

  void mount(Router router) {
    router.post("/v1/chat").handler(QueryParams.only()).handler(this::chat);
    router.get("/v1/ws").handler(QueryParams.only()).handler(socket::open);
  }

  private void chat(RoutingContext ctx) {
    String tenant = TenantGate.tenant(ctx);
    JsonBody body = JsonBody.parse(ctx.body().buffer(), ChatBody.FIELDS);
    TurnRequest turn = ChatBody.turn(tenant, body);
    String accept = ctx.request().getHeader("Accept");
    boolean streamed =
        Boolean.TRUE.equals(body.optionalBoolean("stream"))
            || (accept != null && accept.contains("text/event-stream"));
    String key = ctx.request().getHeader(IdempotencyKey.HEADER);
    if (streamed) {
      if (key != null) {
        throw Problem.badRequest(
            IdempotencyKey.HEADER
                + " is not supported with streaming;"
                + " send a messageId to make the turn unique");
      }
      stream.answer(ctx, turn);
      return;
    }
    if (key == null) {
      turns
          .run(turn, null)
          .onSuccess(result -> IdempotentCreate.send(ctx, statusOf(result), result, false))
          .onFailure(e -> ctx.fail(TurnErrors.problem(e)));
      return;
    }
    keyedTurn(ctx, body, turn, key);
  }

  /** A whole-answer turn under an {@code Idempotency-Key}: answered once, its answer kept. */
  private void keyedTurn(RoutingContext ctx, JsonBody body, TurnRequest turn, String key) {
    if (IdempotencyKey.malformed(ctx, key)) {
      return;
    }
    // under a key, a turn without a messageId gets one from the key, so a retry after a failure
    // finds its stored message and answers it instead of storing it again (same key, same body)
    TurnRequest keyed =
        body.optionalId("messageId") == null
            ? turn.withMessageId(
                UUID.nameUUIDFromBytes(("idempotency-key:" + key).getBytes(StandardCharsets.UTF_8))
                    .toString())
            : turn;
    JournaledWrites.Keyed journalKey =
        new JournaledWrites.Keyed(key, IdempotencyKey.fingerprint(ctx), 200);
    if (writes.journaling()) {
      journaledTurn(ctx, keyed, journalKey);
      return;
    }
    create.once(
        ctx,
        key,
        e -> {
          if (DatabaseErrors.isUnreachable(e)) {
            journaledTurn(ctx, keyed, journalKey);
          } else {
            ctx.fail(e);
          }
        },
        () ->
            answer(keyed, journalKey)
                .recover(e -> Future.failedFuture(TurnErrors.problem(e)))
                .compose(
                    result ->
                        statusOf(result) == 202
                            ? Future.succeededFuture(new IdempotentCreate.Reply(202, result))
                            : requests
                                .complete(requests.pool(), turn.tenant(), key, 200, result)
                                .map(new IdempotentCreate.Reply(200, result))));
  }

  /** The turn, or its answer alone when its message is stored already (a retry under a key). */
  private Future<JsonObject> answer(TurnRequest turn, JournaledWrites.Keyed key) {
    return turns
        .run(turn, null, Optional.of(key))
        .recover(
            e ->
                e instanceof Conversations.DuplicateMessage
                    ? turns.resume(turn, null, Optional.of(key))
                    : Future.failedFuture(e));
  }

  /**
   * A turn under an {@code Idempotency-Key} while the database cannot be reached (the key cannot be
   * looked up there): the journal knows the keys it holds; a new one is journaled with the answer.
   */
  private void journaledTurn(RoutingContext ctx, TurnRequest turn, JournaledWrites.Keyed key) {
    Optional<JournalRecord> earlier =
        writes.journal().flatMap(journal -> journal.pendingWithKey(turn.tenant(), key.key()));
    if (earlier.isPresent()) {
      answerJournaled(ctx, key, earlier.get());
      return;
    }
    answer(turn, key)
        .compose(
            result ->
                statusOf(result) == 202
                    ? Future.succeededFuture(result)
                    // the database took it after all: the key's answer goes there
                    : requests
                        .storeReplayed(
                            requests.pool(),
                            turn.tenant(),
                            key.key(),
                            key.requestHash(),
                            200,
                            result)
                        .map(result))
        .onSuccess(result -> IdempotentCreate.send(ctx, statusOf(result), result, false))
        .onFailure(
            e -> {
              if (e instanceof Journal.KeyJournaled same) {
                answerJournaled(ctx, key, same.earlier());
              } else {
                ctx.fail(TurnErrors.problem(e));
              }
            });
  }

  /** Answers a key journaled already: its answer again, or 422 for another request. */
  private static void answerJournaled(
      RoutingContext ctx, JournaledWrites.Keyed key, JournalRecord earlier) {
    JsonObject envelope = earlier.body();
    if (!key.requestHash().equals(envelope.getString(JournalReplay.REQUEST_HASH))) {
      ctx.fail(IdempotencyKey.reused());
      return;
    }
    // the same fingerprint: a chat answer's record, which carries the turn's answer
    JsonObject request = envelope.getJsonObject(JournalReplay.REQUEST);
    IdempotentCreate.send(ctx, 202, JournaledMessage.answerOf(request), true);
  }

  /** 202 for a turn whose messages were journaled, else 200. */
  private static int statusOf(JsonObject result) {
    return "journaled".equals(result.getString("status")) ? 202 : 200;
  }
}
