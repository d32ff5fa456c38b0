package dev.soma.resilience.api;

import dev.soma.resilience.chat.ConversationMessage;
import dev.soma.resilience.chat.Conversations;
import dev.soma.resilience.chat.JournaledMessage;
import dev.soma.resilience.chat.JournaledToolResult;
import dev.soma.resilience.chat.ToolResult;
import dev.soma.resilience.common.db.TimeCursor;
import dev.soma.resilience.common.http.Problem;
import dev.soma.resilience.journal.JournalKind;
import dev.soma.resilience.outbox.Outbox;
import dev.soma.resilience.session.SessionContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The HTTP face of conversation messages and tool results ({@link Conversations} stores them, each
 * with its event, in one transaction). Every query is scoped by the caller's tenant, so another
 * tenant's ids answer as if they did not exist.
 */
final class ConversationRoutes {

  private static final Set<String> MESSAGE_FIELDS =
      Set.of("messageId", "role", "content", "metadata", "sessionId");
  private static final Set<String> TOOL_FIELDS =
      Set.of("executionId", "toolName", "status", "result");
  private static final int MAX_CONTENT = 32_768;

  private final Pool pool;
  private final IdempotentCreate create;
  private final SessionContext sessions;
  private final Conversations conversations;
  private final JournaledMessage messages;
  private final JournaledToolResult toolResults;

  ConversationRoutes(Pool pool, Outbox outbox, IdempotentCreate create, SessionContext sessions) {
    this.pool = pool;
    this.create = create;
    this.sessions = sessions;
    this.conversations = new Conversations(outbox);
    this.messages = new JournaledMessage(conversations);
    this.toolResults = new JournaledToolResult(conversations);
  }

  /** The writes of these routes that the journal can hold. */
  List<JournalKind> journalKinds() {
    return List.of(messages, toolResults);
  }

  /** The same, on {@code conversations} (for a replay without the routes). */
  static List<JournalKind> journalKinds(Conversations conversations) {
    return List.of(new JournaledMessage(conversations), new JournaledToolResult(conversations));
  }

  void mount(Router router) {
    router
        .post("/v1/conversations/:conversationId/messages")
        .handler(QueryParams.only())
        .handler(this::postMessage);
    router
        .get("/v1/conversations/:conversationId/messages")
        .handler(QueryParams.only("cursor", "limit"))
        .handler(this::listMessages);
    router
        .post("/v1/conversations/:conversationId/tool-results")
        .handler(QueryParams.only())
        .handler(this::postToolResult);
  }

  private void postMessage(RoutingContext ctx) {
    String tenant = TenantGate.tenant(ctx);
    String conversation = conversationId(ctx);
    JsonBody body = JsonBody.parse(ctx.body().buffer(), MESSAGE_FIELDS);
    String messageId = body.optionalId("messageId");
    String message = messageId != null ? messageId : UUID.randomUUID().toString();
    String role = body.oneOf("role", Set.of("user", "assistant", "system"), "user");
    String content = body.requiredString("content", MAX_CONTENT);
    JsonObject metadata = body.object("metadata");
    String session = body.optionalId("sessionId");
    create.run(
        ctx,
        messages,
        new ConversationMessage(tenant, conversation, message, role, content, metadata).toJson(),
        202,
        committed ->
            session == null
                ? Future.succeededFuture()
                : sessions.append(
                    tenant,
                    session,
                    new JsonObject()
                        .put("role", role)
                        .put("content", content)
                        .put("messageId", message)
                        .put("conversationId", conversation)));
  }

  private void postToolResult(RoutingContext ctx) {
    String tenant = TenantGate.tenant(ctx);
    String conversation = conversationId(ctx);
    JsonBody body = JsonBody.parse(ctx.body().buffer(), TOOL_FIELDS);
    String execution = body.optionalId("executionId");
    if (execution == null) {
      throw Problem.badRequest("'executionId' is required");
    }
    String tool = body.requiredString("toolName", 128);
    String status = body.oneOf("status", Set.of("succeeded", "failed"), "succeeded");
    Object result = body.requiredValue("result");
    create.run(
        ctx,
        toolResults,
        new ToolResult(tenant, conversation, execution, tool, status, result).toJson(),
        202,
        committed -> Future.succeededFuture());
  }

  private void listMessages(RoutingContext ctx) {
    String tenant = TenantGate.tenant(ctx);
    String conversation = conversationId(ctx);
    TimeCursor after;
    try {
      after = TimeCursor.parse(QueryParams.nonEmpty(ctx, "cursor"));
    } catch (IllegalArgumentException e) {
      throw Problem.badRequest(e.getMessage());
    }
    int limit = QueryParams.limit(ctx, 1000);
    Conversations.messages(pool, tenant, conversation, after, limit)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                ctx.fail(ar.cause());
              } else if (after == null && ar.result().getJsonArray("messages").isEmpty()) {
                ctx.fail(Problem.notFound("no conversation '" + conversation + "'"));
              } else {
                ctx.json(new JsonObject().put("conversationId", conversation).mergeIn(ar.result()));
              }
            });
  }

  private static String conversationId(RoutingContext ctx) {
    String id = ctx.pathParam("conversationId");
    if (!Ids.valid(id)) {
      throw Problem.badRequest("the conversation id must be 1-128 characters of [A-Za-z0-9._:-]");
    }
    return id;
  }
}
