package dev.soma.resilience.api;

import dev.soma.resilience.common.db.Transaction;
import dev.soma.resilience.journal.JournalKind;
import dev.soma.resilience.memory.Memory;
import dev.soma.resilience.memory.MemoryService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * A memory to remember as a write the journal can hold: {@code {"namespace", "key", "value",
 * "meta", "mode"}}. Live, it is kept by {@link MemoryService#remember} in its mode (201 {@code
 * stored} in SomaBrain, 202 {@code queued}); journaled, it is replayed into the pending-memory
 * queue ({@code async}: the replay never waits on SomaBrain), which the memory sync then sends. The
 * queue's key makes a second replay harmless.
 */
final class JournaledMemory implements JournalKind {

  static final String NAME = "memory.remember";

  private final MemoryService memories;

  JournaledMemory(MemoryService memories) {
    this.memories = memories;
  }

  static JsonObject request(Memory memory, String mode) {
    return new JsonObject()
        .put("namespace", memory.namespace())
        .put("key", memory.key())
        .put("value", memory.value())
        .put("meta", memory.meta())
        .put("mode", mode);
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * {@code memory:<namespace>/<key>}: a memory is its namespace and key (the same key in two
   * namespaces is two memories); a request's namespace has no {@code /}, so it ends at the first.
   */
  @Override
  public String dedupeKey(String tenant, JsonObject request) {
    return "memory:" + request.getString("namespace") + "/" + request.getString("key");
  }

  @Override
  public Future<JsonObject> apply(Transaction tx, String tenant, JsonObject request) {
    return memories
        .remember(tx, memory(tenant, request), request.getString("mode"))
        .map(stored -> reply(request, stored.name().toLowerCase()))
        .recover(MemoryRoutes::problem);
  }

  @Override
  public Future<JsonObject> replay(Transaction tx, String tenant, JsonObject request) {
    return apply(tx, tenant, request.copy().put("mode", "async"));
  }

  @Override
  public int status(JsonObject reply) {
    return "stored".equals(reply.getString("status")) ? 201 : 202;
  }

  @Override
  public boolean alreadyApplied(Throwable failure) {
    return false; // the queue upserts by tenant, namespace and key: a second replay succeeds
  }

  @Override
  public JsonObject journaledReply(JsonObject request) {
    return reply(request, "journaled");
  }

  private static Memory memory(String tenant, JsonObject request) {
    return new Memory(
        tenant,
        request.getString("namespace"),
        request.getString("key"),
        request.getJsonObject("value"),
        request.getJsonObject("meta"));
  }

  private static JsonObject reply(JsonObject request, String status) {
    return new JsonObject()
        .put("key", request.getString("key"))
        .put("namespace", request.getString("namespace"))
        .put("status", status);
  }
}
