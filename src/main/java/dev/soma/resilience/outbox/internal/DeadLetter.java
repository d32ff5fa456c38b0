package dev.soma.resilience.outbox.internal;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;

/**
 * A row of {@code dead_letter_messages}: a dead outbox event ({@code outboxId}) or a memory
 * SomaBrain never took ({@code memoryId}); exactly one of the two is set.
 */
public record DeadLetter(
    long id,
    Long outboxId,
    Long memoryId,
    String tenantId,
    String dedupeKey,
    String topic,
    String messageKey,
    String payload,
    JsonObject headers,
    String errorMessage,
    String errorClass,
    int attempts,
    OffsetDateTime createdAt,
    OffsetDateTime deadAt,
    boolean dlqPublished,
    boolean resolved,
    String resolvedBy,
    OffsetDateTime resolvedAt,
    String resolutionNotes) {

  public static final String COLUMNS = columns("payload::text");

  /** Its columns, the payload as {@code payload} being {@code payload} (an SQL expression). */
  public static String columns(String payload) {
    return "id, outbox_id, memory_id, tenant_id, dedupe_key, topic, message_key, "
        + payload
        + " AS payload, headers, error_message, error_class, attempts, created_at, dead_at,"
        + " dlq_published, resolved, resolved_by, resolved_at, resolution_notes";
  }

  public static DeadLetter from(Row row) {
    return new DeadLetter(
        row.getLong("id"),
        row.getLong("outbox_id"),
        row.getLong("memory_id"),
        row.getString("tenant_id"),
        row.getString("dedupe_key"),
        row.getString("topic"),
        row.getString("message_key"),
        row.getString("payload"),
        row.getJsonObject("headers"),
        row.getString("error_message"),
        row.getString("error_class"),
        row.getInteger("attempts"),
        row.getOffsetDateTime("created_at"),
        row.getOffsetDateTime("dead_at"),
        row.getBoolean("dlq_published"),
        row.getBoolean("resolved"),
        row.getString("resolved_by"),
        row.getOffsetDateTime("resolved_at"),
        row.getString("resolution_notes"));
  }

  /** The {@code event-id} its records carry: the outbox id, or {@code memory:<id>}. */
  public String eventId() {
    return outboxId != null ? outboxId.toString() : "memory:" + memoryId;
  }

  /** Its fields; a resolved letter's who, when and why as {@code resolvedBy/At}, {@code notes}. */
  public JsonObject toJson() {
    JsonObject json =
        new JsonObject()
            .put("id", id)
            .put("outboxId", outboxId)
            .put("memoryId", memoryId)
            .put("tenantId", tenantId)
            .put("dedupeKey", dedupeKey)
            .put("topic", topic)
            .put("messageKey", messageKey)
            .put("payload", payload)
            .put("headers", headers)
            .put("errorMessage", errorMessage)
            .put("errorClass", errorClass)
            .put("attempts", attempts)
            .put("createdAt", createdAt.toInstant().toString())
            .put("deadAt", deadAt.toInstant().toString())
            .put("dlqPublished", dlqPublished)
            .put("resolved", resolved);
    if (resolvedAt != null) {
      json.put("resolvedBy", resolvedBy)
          .put("resolvedAt", resolvedAt.toInstant().toString())
          .put("resolutionNotes", resolutionNotes);
    }
    return json;
  }
}
