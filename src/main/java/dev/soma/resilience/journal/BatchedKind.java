package dev.soma.resilience.journal;

import dev.soma.resilience.common.db.Transaction;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A {@link JournalKind} whose writes are rows of type {@code T}, a run of them stored with one
 * statement per table ({@link #storeAll}). A live write is a run of one, so a live write and its
 * replay make exactly the same rows and events; each write's reply, live or replayed, is its {@link
 * #appliedReply}.
 */
public interface BatchedKind<T> extends JournalKind {

  /** The row {@code tenant}'s write {@code request} stores. */
  T row(String tenant, JsonObject request);

  /**
   * Stores {@code rows} and their events on {@code tx} in list order; fails when any of them cannot
   * be stored ({@link #alreadyApplied} tells one stored before).
   */
  Future<?> storeAll(Transaction tx, List<T> rows);

  @Override
  default Future<JsonObject> apply(Transaction tx, String tenant, JsonObject request) {
    return replayAll(tx, List.of(new Write(tenant, request))).map(replies -> replies.get(0));
  }

  /** A run's rows with one statement per table, then each write's {@link #appliedReply}. */
  @Override
  default Future<List<JsonObject>> replayAll(Transaction tx, List<Write> writes) {
    List<T> rows = writes.stream().map(write -> row(write.tenant(), write.request())).toList();
    return storeAll(tx, rows)
        .map(stored -> writes.stream().map(write -> appliedReply(write.request())).toList());
  }
}
