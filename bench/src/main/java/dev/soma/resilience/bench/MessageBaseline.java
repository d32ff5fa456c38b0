package dev.soma.resilience.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/**
 * The API benchmark's baseline: what {@code POST /v1/conversations/{id}/messages} must do at the
 * least, the message row and its outbox event in one transaction, with the plainest inserts of
 * both (one row, {@code VALUES}: the message's is what {@code Conversations.INSERT_MESSAGE} was;
 * {@code Conversations} and {@code Outbox} now write one or many through their {@code unnest}
 * statements) and the same values, straight on a Vert.x pool. No HTTP, no
 * authentication, no rate limit or backlog check, no relay wake-up.
 */
final class MessageBaseline {

  static final String INSERT_MESSAGE =
      """
      INSERT INTO conversation_messages (tenant_id, conversation_id, message_id, role, content, metadata)
      VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING""";

  static final String INSERT_EVENT =
      """
      INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, partition_key, payload, headers)
      VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (tenant_id, dedupe_key) DO NOTHING
      RETURNING id""";

  private final Pool pool;
  private final String tenant;

  MessageBaseline(Pool pool, String tenant) {
    this.pool = pool;
    this.tenant = tenant;
  }

  Future<?> store(String conversation, String content) {
    String message = UUID.randomUUID().toString();
    JsonObject metadata = new JsonObject();
    JsonObject payload = new JsonObject().put("conversationId", conversation)
        .put("messageId", message).put("role", "user").put("content", content)
        .put("metadata", metadata);
    return pool.withTransaction(tx -> tx.preparedQuery(INSERT_MESSAGE)
        .execute(Tuple.of(tenant, conversation, message, "user", content, metadata))
        .compose(rows -> tx.preparedQuery(INSERT_EVENT).execute(Tuple.of(tenant,
            "conv:" + conversation + ":" + message, "conversation.inbound",
            "conv:" + conversation, payload, new JsonObject()))));
  }
}
