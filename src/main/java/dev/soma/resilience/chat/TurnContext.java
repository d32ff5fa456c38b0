package dev.soma.resilience.chat;

import dev.soma.resilience.degradation.DegradationStatusView;
import dev.soma.resilience.memory.MemoryService;
import dev.soma.resilience.session.SessionContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What a turn is answered with besides its message: the session's recent turns (none without a
 * session) and the tenant's memories recalled for the message while SomaBrain is usable. Never
 * fails for memory: a recall that fails, or a SomaBrain that is not usable, leaves the session's
 * context alone, and the result says so: {@code {"session": [...], "memories": [...], "source":
 * "memory" | "session-only"}}.
 */
record TurnContext(MemoryService memories, SessionContext sessions, DegradationStatusView status) {

  /** How many memories a turn recalls. */
  private static final int RECALLED = 5;

  /** {@code turn}'s context. */
  Future<JsonObject> of(TurnRequest turn) {
    Future<JsonArray> recent =
        turn.sessionId() == null
            ? Future.succeededFuture(new JsonArray())
            : sessions.recent(turn.tenant(), turn.sessionId());
    boolean memoryUsable = status.isUsable(MemoryService.DEPENDENCY);
    Future<JsonObject> recalled =
        memoryUsable
            ? memories
                .recall(turn.tenant(), turn.content(), RECALLED, null)
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
}
