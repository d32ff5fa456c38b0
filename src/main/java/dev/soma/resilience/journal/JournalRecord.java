package dev.soma.resilience.journal;

import dev.soma.resilience.journal.internal.Frames;
import dev.soma.resilience.journal.internal.SegmentScan;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One write the journal keeps while PostgreSQL cannot take it: what it is ({@code kind}, e.g.
 * {@code conversation.message}), whose ({@code tenant}), the key that makes its replay harmless the
 * second time ({@code dedupeKey}), the client's {@code Idempotency-Key} if it sent one, and what a
 * replay needs to write it ({@code body}, JSON: it crosses processes and releases). {@code
 * sequence} is its place in the journal, given on append (0 before); replays follow it.
 */
public record JournalRecord(
    long sequence,
    String kind,
    String tenant,
    String dedupeKey,
    Optional<String> idempotencyKey,
    JsonObject body,
    long journaledAtMillis) {

  public JournalRecord {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(dedupeKey, "dedupeKey");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    Objects.requireNonNull(body, "body");
  }

  /** A record to append: its sequence is given by the journal. */
  public static JournalRecord of(
      String kind,
      String tenant,
      String dedupeKey,
      Optional<String> idempotencyKey,
      JsonObject body,
      long journaledAtMillis) {
    return new JournalRecord(0, kind, tenant, dedupeKey, idempotencyKey, body, journaledAtMillis);
  }

  JournalRecord withSequence(long assigned) {
    return new JournalRecord(
        assigned, kind, tenant, dedupeKey, idempotencyKey, body, journaledAtMillis);
  }

  /** The record's payload as stored (UTF-8 JSON; the sequence is in the frame). */
  byte[] payload() {
    JsonObject json =
        new JsonObject()
            .put("kind", kind)
            .put("tenant", tenant)
            .put("dedupeKey", dedupeKey)
            .put("at", journaledAtMillis)
            .put("body", body);
    idempotencyKey.ifPresent(key -> json.put("idempotencyKey", key));
    return json.encode().getBytes(StandardCharsets.UTF_8);
  }

  /** The record in {@code frame} of a segment's {@code bytes}; fails as {@link #fromPayload}. */
  static JournalRecord fromFrame(byte[] bytes, SegmentScan.Frame frame) {
    return fromPayload(
        frame.sequence(),
        Arrays.copyOfRange(
            bytes, frame.offset() + Frames.HEADER_BYTES, frame.offset() + frame.length()));
  }

  /** The record a payload read back holds; fails on a payload no release of ours wrote. */
  static JournalRecord fromPayload(long sequence, byte[] payload) {
    JsonObject json = new JsonObject(new String(payload, StandardCharsets.UTF_8));
    return new JournalRecord(
        sequence,
        json.getString("kind"),
        json.getString("tenant"),
        json.getString("dedupeKey"),
        Optional.ofNullable(json.getString("idempotencyKey")),
        json.getJsonObject("body"),
        json.getLong("at"));
  }
}
