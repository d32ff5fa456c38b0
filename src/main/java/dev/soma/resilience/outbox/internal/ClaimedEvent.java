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

  /** How many leading columns of the claim's result {@link #from} reads. */
  static final int COLUMNS = 10;

  /** Reads a row of the claim's result, by position (the relay's hot path). */
  static ClaimedEvent from(Row row) {
    return new ClaimedEvent(
        row.getLong(0),
        row.getString(1),
        row.getString(2),
        row.getString(3),
        row.getString(4),
        row.getString(5),
        row.getJsonObject(6),
        row.getInteger(7),
        row.getInteger(8),
        row.getOffsetDateTime(9));
  }

  /** The Kafka record key: one aggregate's events share it, hence a partition and an order. */
  public String recordKey() {
    return tenantId + ":" + (partitionKey != null ? partitionKey : dedupeKey);
  }
}
