package dev.soma.resilience.journal;

import dev.soma.resilience.common.db.Transaction;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

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
   * kind must not wait on anything but the database then. A replay calls it through {@link
   * #replayAll}.
   */
  default Future<JsonObject> replay(Transaction tx, String tenant, JsonObject request) {
    return apply(tx, tenant, request);
  }

  /** One journaled write of a run the replay makes at once: its tenant and the kind's request. */
  record Write(String tenant, JsonObject request) {}

  /**
   * Makes a run of consecutive journaled writes of this kind on {@code tx} during a replay, in
   * journal order; completes with each write's reply, in the order of {@code writes}, each exactly
   * what {@link #replay} completes with for it (what the write's key stores). Fails when any write
   * of the run cannot be made, one already in the database included: the replay then rolls its
   * batch back and makes the writes one by one, where {@link #alreadyApplied} tells a write done
   * before from one that cannot be done. By default the writes go through {@link #replay} one after
   * the other; a kind overrides this to write the whole run with one statement per table, keeping
   * each table's rows, and the outbox's events, in the order of {@code writes} (so the events' ids,
   * and with them per-key order, come out as written one after the other).
   */
  default Future<List<JsonObject>> replayAll(Transaction tx, List<Write> writes) {
    List<JsonObject> replies = new ArrayList<>(writes.size());
    Future<Void> made = Future.succeededFuture();
    for (Write write : writes) {
      made =
          made.compose(v -> replay(tx, write.tenant(), write.request()))
              .map(
                  reply -> {
                    replies.add(reply);
                    return null;
                  });
    }
    return made.map(v -> replies);
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
