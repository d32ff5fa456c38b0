package dev.soma.resilience.outbox;

import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One event to publish. {@code (tenantId, dedupeKey)} identifies it: enqueueing the same pair twice
 * yields one event, so the dedupe key must be deterministic (derived from the business identity,
 * such as {@code conv:42:7}; never random, never a timestamp).
 *
 * <p>Events with the same {@code (tenantId, partitionKey)} reach Kafka in the order they were
 * committed and share a Kafka partition (record key {@code tenantId:partitionKey}). Without a
 * partition key an event is ordered with nothing and keyed {@code tenantId:dedupeKey}.
 *
 * @param headers extra Kafka headers (string values), e.g. a W3C {@code traceparent}
 * @param payload the record value, any JSON object
 */
public record OutboxEntry(
    String tenantId,
    String dedupeKey,
    String topic,
    String partitionKey,
    JsonObject payload,
    JsonObject headers) {

  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
  private static final Pattern TRACEPARENT =
      Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

  /** Validates every field; throws {@link IllegalArgumentException} naming the bad one. */
  public OutboxEntry {
    requireText("tenantId", tenantId);
    requireText("dedupeKey", dedupeKey);
    requireText("topic", topic);
    if (!legalTopic(topic)) {
      throw new IllegalArgumentException(
          "topic must be 1-249 characters of [a-zA-Z0-9._-], but was '" + topic + "'");
    }
    if (partitionKey != null && partitionKey.isEmpty()) {
      partitionKey = null;
    }
    Objects.requireNonNull(payload, "payload");
    headers = headers == null ? new JsonObject() : headers;
    for (String name : headers.fieldNames()) {
      if (!(headers.getValue(name) instanceof String)) {
        throw new IllegalArgumentException("header '" + name + "' must have a string value");
      }
    }
    String traceparent = headers.getString("traceparent");
    if (traceparent != null && !TRACEPARENT.matcher(traceparent).matches()) {
      throw new IllegalArgumentException(
          "traceparent must be a W3C trace context (version-traceid-parentid-flags), but was '"
              + traceparent
              + "'");
    }
  }

  /** Whether Kafka accepts {@code topic} as a name (sql/V6 checks the same in the table). */
  static boolean legalTopic(String topic) {
    return TOPIC.matcher(topic).matches() && !topic.equals(".") && !topic.equals("..");
  }

  /** An entry without extra headers. */
  public static OutboxEntry of(
      String tenantId, String dedupeKey, String topic, String partitionKey, JsonObject payload) {
    return new OutboxEntry(tenantId, dedupeKey, topic, partitionKey, payload, null);
  }

  /** The same entry carrying a W3C trace context header. */
  public OutboxEntry withTraceparent(String traceparent) {
    return new OutboxEntry(
        tenantId,
        dedupeKey,
        topic,
        partitionKey,
        payload,
        headers.copy().put("traceparent", traceparent));
  }

  private static void requireText(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be empty");
    }
  }
}
