package dev.soma.resilience.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * What the benchmark's events look like, the same for the outbox rows and the raw producer's
 * records: event {@code n} belongs to tenant {@code n mod tenants} and one of its aggregates
 * (pseudo-random, so one aggregate's events are spread over the backlog), and carries a JSON
 * payload of words of about {@code payloadBytes}. Payloads are written in PostgreSQL's jsonb text
 * form, so the relay sends exactly these bytes.
 */
final class EventShape {

  private static final String[] WORDS = {
    "agent", "memory", "recall", "tool", "result", "user", "message", "conversation", "session",
    "token", "stream", "reply", "context", "model", "provider", "fallback", "latency", "budget",
    "summary", "audio", "transcript", "storage", "object", "policy", "quota", "retry", "event"
  };

  private final int tenants;
  private final int aggregates;
  private final int payloadBytes;

  EventShape(int tenants, int aggregates, int payloadBytes) {
    this.tenants = tenants;
    this.aggregates = aggregates;
    this.payloadBytes = payloadBytes;
  }

  String tenant(long n) {
    return String.format("tenant-%03d", n % tenants);
  }

  String aggregate(long n) {
    return "agg-" + new SplittableRandom(n * 31 + 7).nextInt(aggregates);
  }

  String dedupeKey(String prefix, long n) {
    return prefix + "-" + n;
  }

  String payload(long n) {
    SplittableRandom random = new SplittableRandom(n);
    StringBuilder body = new StringBuilder(payloadBytes);
    int target = Math.max(10, payloadBytes - 110);
    while (body.length() < target) {
      body.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
    }
    body.setLength(target);
    // jsonb key order (shorter keys first) and ": "/", " separators: jsonb prints it unchanged
    return "{\"seq\": " + n + ", \"body\": \"" + body + "\", \"type\": \"conversation.message\","
        + " \"tenant\": \"" + tenant(n) + "\", \"aggregate\": \"" + aggregate(n) + "\"}";
  }

  /**
   * The record the relay would send for this event: key {@code tenant:aggregate}, the payload,
   * and the relay's seven headers with values of the same length.
   */
  ProducerRecord<String, String> record(String topic, String prefix, long n) {
    RecordHeaders headers = new RecordHeaders();
    header(headers, "tenant-id", tenant(n));
    header(headers, "dedupe-key", dedupeKey(prefix, n));
    header(headers, "event-id", Long.toString(n + 1));
    header(headers, "event-topic", topic);
    header(headers, "event-created-at", Instant.now().toString());
    header(headers, "retry-count", "0");
    header(headers, "processing-attempt", "1");
    return new ProducerRecord<>(topic, null, tenant(n) + ":" + aggregate(n), payload(n), headers);
  }

  private static void header(RecordHeaders headers, String name, String value) {
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
