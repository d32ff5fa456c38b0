package dev.soma.resilience.outbox.internal;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Builds the Kafka records of outbox rows: stable key, payload value, and the standard headers. */
public final class KafkaRecords {

  /** Headers the relay sets itself; an entry's own headers cannot override them. */
  static final Set<String> RESERVED =
      Set.of(
          "tenant-id",
          "dedupe-key",
          "event-id",
          "event-topic",
          "event-created-at",
          "retry-count",
          "processing-attempt");

  private KafkaRecords() {}

  /** The record of {@code event}, published as processing attempt {@code attempts + 1}. */
  public static ProducerRecord<String, String> of(ClaimedEvent event) {
    ProducerRecord<String, String> record =
        new ProducerRecord<>(event.topic(), event.recordKey(), event.payload());
    addCustomHeaders(record, event.headers());
    header(record, "tenant-id", event.tenantId());
    header(record, "dedupe-key", event.dedupeKey());
    header(record, "event-id", Long.toString(event.id()));
    header(record, "event-topic", event.topic());
    header(record, "event-created-at", event.createdAt().toInstant().toString());
    header(record, "retry-count", Integer.toString(event.attempts()));
    header(record, "processing-attempt", Integer.toString(event.attempts() + 1));
    return record;
  }

  /**
   * The dead-letter record: the original key, value and headers, plus why and when it died. With
   * {@code omitPayload} the value only points at the dead-letter row.
   */
  public static ProducerRecord<String, String> deadLetter(DeadLetter letter, boolean omitPayload) {
    String value =
        omitPayload
            ? new JsonObject().put("payloadOmitted", true).put("deadLetterId", letter.id()).encode()
            : letter.payload();
    ProducerRecord<String, String> record =
        new ProducerRecord<>(letter.topic() + ".dlq", letter.messageKey(), value);
    if (omitPayload) {
      header(record, "dlq-payload-omitted", "true");
    }
    addCustomHeaders(record, letter.headers());
    header(record, "tenant-id", letter.tenantId());
    header(record, "dedupe-key", letter.dedupeKey());
    header(record, "event-id", letter.eventId());
    header(record, "event-topic", letter.topic());
    header(record, "event-created-at", letter.createdAt().toInstant().toString());
    header(record, "retry-count", Integer.toString(Math.max(0, letter.attempts() - 1)));
    header(record, "processing-attempt", Integer.toString(letter.attempts()));
    header(record, "dlq-error-message", letter.errorMessage());
    header(record, "dlq-error-class", letter.errorClass());
    header(record, "dlq-attempts", Integer.toString(letter.attempts()));
    header(record, "dlq-original-topic", letter.topic());
    header(record, "dlq-dead-at", letter.deadAt().toInstant().toString());
    return record;
  }

  private static void addCustomHeaders(ProducerRecord<String, String> record, JsonObject headers) {
    if (headers != null) {
      headers.forEach(
          h -> {
            if (!RESERVED.contains(h.getKey())) {
              header(record, h.getKey(), String.valueOf(h.getValue()));
            }
          });
    }
  }

  private static void header(ProducerRecord<String, String> record, String name, String value) {
    record.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
