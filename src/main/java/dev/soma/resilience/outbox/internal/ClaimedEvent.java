package dev.soma.resilience.outbox.internal;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;

/** An outbox row leased by one relay, as read by the claim. */
public record ClaimedEvent(
    long id,
    String tenantId,
    String dedupeKey,
    String topic,
    String partitionKey,
    String payload,
    JsonObject headers,
    int attempts,
    int maxAttempts,
    OffsetDateTime createdAt) {

  static ClaimedEvent from(Row row) {
    return new ClaimedEvent(
        row.getLong("id"),
        row.getString("tenant_id"),
        row.getString("dedupe_key"),
        row.getString("topic"),
        row.getString("partition_key"),
        row.getString("payload"),
        row.getJsonObject("headers"),
        row.getInteger("attempts"),
        row.getInteger("max_attempts"),
        row.getOffsetDateTime("created_at"));
  }

  /** The Kafka record key: one aggregate's events share it, hence a partition and an order. */
  public String recordKey() {
    return tenantId + ":" + (partitionKey != null ? partitionKey : dedupeKey);
  }
}
