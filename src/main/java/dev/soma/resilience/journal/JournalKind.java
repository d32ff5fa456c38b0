package dev.soma.resilience.journal;

import dev.soma.resilience.common.db.Transaction;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * A kind of write the journal can hold, and how to make it in the database: the same {@link #apply}
 * runs for a live request and for the replay of a journaled one, so both write exactly the same
 * rows and outbox events.
 */
public interface JournalKind {

  /** The kind's name in the journal (never changes: journals outlive releases). */
  String name();

  /** The key that makes the write's second replay harmless (its event's dedupe key). */
  String dedupeKey(String tenant, JsonObject request);

  /** Makes the write on {@code tx}; completes with the body to answer (and store under a key). */
  Future<JsonObject> apply(Transaction tx, String tenant, JsonObject request);

  /**
   * Makes a journaled write on {@code tx} during a replay; the same as {@link #apply} unless the
   * kind must not wait on anything but the database then.
   */
  default Future<JsonObject> replay(Transaction tx, String tenant, JsonObject request) {
    return apply(tx, tenant, request);
  }

  /**
   * Whether a replay may run several journaled writes of this kind on one transaction at once, each
   * one's statements sent without waiting for the writes before it (the database connection
   * pipelines them). Only true when every {@link #replay} of this kind sends the same statements in
   * the same order, each only after its own previous one completed: then PostgreSQL still receives
   * each statement of the run in journal order (all first statements in order, then all second ones
   * in order, ...), and the rows and events come out as written one after the other. False by
   * default: the writes then run one after the other.
   */
  default boolean replaysPipelined() {
    return false;
  }

  /** The HTTP status of a live {@link #apply}'s {@code reply} (a journaled one is always 202). */
  default int status(JsonObject reply) {
    return 202;
  }

  /** Whether {@code failure} of {@link #apply} says the write is in the database already. */
  boolean alreadyApplied(Throwable failure);

  /** The answer to a request journaled (its {@code status} is {@code journaled}). */
  JsonObject journaledReply(JsonObject request);

  /** The answer stored for a key whose write a replay found already applied. */
  default JsonObject appliedReply(JsonObject request) {
    return journaledReply(request).put("status", "accepted");
  }
}
