package dev.soma.resilience.api;

import dev.soma.resilience.common.http.Problem;
import dev.soma.resilience.journal.JournalKind;
import dev.soma.resilience.memory.Memory;
import dev.soma.resilience.memory.MemoryService;
import dev.soma.resilience.session.SessionContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * {@code POST /v1/memories} (remember: 201 {@code stored} or 202 {@code queued}) and {@code POST
 * /v1/memories/recall}.
 */
final class MemoryRoutes {

  private static final Set<String> REMEMBER_FIELDS =
      Set.of("key", "namespace", "value", "meta", "mode");
  private static final Set<String> RECALL_FIELDS =
      Set.of("query", "topK", "namespace", "sessionId");

  private final MemoryService memories;
  private final JournaledMemory kind;
  private final IdempotentCreate create;
  private final SessionContext sessions;

  /** The writes of these routes that the journal can hold. */
  List<JournalKind> journalKinds() {
    return List.of(kind);
  }

  MemoryRoutes(MemoryService memories, IdempotentCreate create, SessionContext sessions) {
    this.kind = new JournaledMemory(memories);
    this.memories = memories;
    this.create = create;
    this.sessions = sessions;
  }

  void mount(Router router) {
    router.post("/v1/memories").handler(QueryParams.only()).handler(this::remember);
    router.post("/v1/memories/recall").handler(QueryParams.only()).handler(this::recall);
  }

  private void remember(RoutingContext ctx) {
    String tenant = TenantGate.tenant(ctx);
    JsonBody body = JsonBody.parse(ctx.body().buffer(), REMEMBER_FIELDS);
    String idempotencyKey = ctx.request().getHeader(IdempotencyKey.HEADER);
    String key = body.optionalId("key");
    String memoryKey =
        key != null
            ? key
            : idempotencyKey != null ? "idem:" + idempotencyKey : UUID.randomUUID().toString();
    String namespace = body.optionalId("namespace");
    JsonObject value = body.object("value");
    if (value.isEmpty()) {
      throw Problem.badRequest("'value' is required and must be a non-empty JSON object");
    }
    String mode = body.oneOf("mode", Set.of("sync", "async", "auto"), null);
    Memory memory =
        new Memory(
            tenant,
            namespace == null ? memories.defaultNamespace() : namespace,
            memoryKey,
            value,
            body.object("meta"));
    create.run(
        ctx,
        kind,
        JournaledMemory.request(memory, mode),
        202,
        committed -> Future.succeededFuture());
  }

  private void recall(RoutingContext ctx) {
    String tenant = TenantGate.tenant(ctx);
    JsonBody body = JsonBody.parse(ctx.body().buffer(), RECALL_FIELDS);
    String query = body.requiredString("query", 2000);
    int topK = body.intIn("topK", 1, 100, 10);
    String session = body.optionalId("sessionId");
    memories
        .recall(tenant, query, topK, body.optionalId("namespace"))
        .compose(
            answer ->
                session == null
                    ? Future.succeededFuture(answer)
                    : sessions
                        .recent(tenant, session)
                        .map(
                            turns ->
                                answer
                                    .put("session", turns)
                                    .put(
                                        "sessionStore",
                                        sessions.degraded() ? "process-memory" : "redis")))
        .onSuccess(ctx::json)
        .onFailure(ctx::fail);
  }

  static <T> Future<T> problem(Throwable e) {
    if (e instanceof MemoryService.RejectedMemory) {
      return Future.failedFuture(Problem.badRequest(e.getMessage()));
    }
    if (e instanceof MemoryService.Unavailable u) {
      return Future.failedFuture(
          Problem.unavailable(e.getMessage(), Math.max(1, u.retryAfter().toSeconds())));
    }
    return Future.failedFuture(e);
  }
}
