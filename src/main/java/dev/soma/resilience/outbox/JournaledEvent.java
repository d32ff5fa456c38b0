package dev.soma.resilience.outbox;

import dev.soma.resilience.common.db.Transaction;
import dev.soma.resilience.journal.JournalKind;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * An outbox event that is the whole of a write, as a write the journal can hold: {@code
 * {"dedupeKey", "topic", "partitionKey", "payload", "headers"}} ({@link #request}), enqueued by
 * {@link Outbox#enqueue} live or replayed. The event's dedupe key makes a second replay harmless
 * (the outbox keeps the first). One class, a {@code name} per write: an upload's queue entry
 * ({@value #UPLOAD_QUEUED}), a degradation event ({@value #DEGRADATION}).
 */
public final class JournaledEvent implements JournalKind {

  /** An upload waiting for storage: its {@code upload.retry} event. */
  public static final String UPLOAD_QUEUED = "upload.queued";

  /** A degradation status change: its {@code degradation.events} event. */
  public static final String DEGRADATION = "degradation.event";

  private final String name;
  private final Outbox outbox;

  public JournaledEvent(String name, Outbox outbox) {
    this.name = name;
    this.outbox = outbox;
  }

  /** The request that enqueues {@code entry} (its tenant is the record's). */
  public static JsonObject request(OutboxEntry entry) {
    return new JsonObject()
        .put("dedupeKey", entry.dedupeKey())
        .put("topic", entry.topic())
        .put("partitionKey", entry.partitionKey())
        .put("payload", entry.payload())
        .put("headers", entry.headers());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String dedupeKey(String tenant, JsonObject request) {
    return request.getString("dedupeKey");
  }

  @Override
  public Future<JsonObject> apply(Transaction tx, String tenant, JsonObject request) {
    OutboxEntry entry =
        new OutboxEntry(
            tenant,
            request.getString("dedupeKey"),
            request.getString("topic"),
            request.getString("partitionKey"),
            request.getJsonObject("payload"),
            request.getJsonObject("headers"));
    return outbox.enqueue(tx, entry).map(created -> reply(request, "accepted"));
  }

  @Override
  public boolean alreadyApplied(Throwable failure) {
    return false; // the outbox keeps the first event of a dedupe key: a second replay succeeds
  }

  @Override
  public JsonObject journaledReply(JsonObject request) {
    return reply(request, "journaled");
  }

  private static JsonObject reply(JsonObject request, String status) {
    return new JsonObject().put("eventKey", request.getString("dedupeKey")).put("status", status);
  }
}
