package dev.soma.resilience.chat;

import dev.soma.resilience.common.db.Transaction;
import dev.soma.resilience.journal.BatchedKind;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.BiFunction;

/**
 * A row {@link Conversations} stores as a write the journal can hold: the request is the row's
 * {@code toJson} form, stored with its event, live or replayed, by one {@link Conversations} method
 * for a whole run. The write's dedupe key is its row's {@link StoredRow#eventKey}, and a row stored
 * before (the method fails with the kind's duplicate exception) is a duplicate: 409 live, "already
 * applied" in a replay. The reply names the conversation and the row's own id, with its {@code
 * status} and {@code eventKey}.
 *
 * @param <T> the row
 */
abstract class JournaledRow<T extends StoredRow> implements BatchedKind<T> {

  private final String name;
  private final String idField;
  private final BiFunction<String, JsonObject, T> fromJson;
  private final BiFunction<Transaction, List<T>, Future<List<String>>> store;
  private final Class<? extends Throwable> duplicate;

  /**
   * A kind named {@code name} (never changes), whose row's own id is the request's {@code idField},
   * read by {@code fromJson} and stored by {@code store}, which fails with {@code duplicate} for a
   * row stored before.
   */
  JournaledRow(
      String name,
      String idField,
      BiFunction<String, JsonObject, T> fromJson,
      BiFunction<Transaction, List<T>, Future<List<String>>> store,
      Class<? extends Throwable> duplicate) {
    this.name = name;
    this.idField = idField;
    this.fromJson = fromJson;
    this.store = store;
    this.duplicate = duplicate;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final String dedupeKey(String tenant, JsonObject request) {
    return row(tenant, request).eventKey();
  }

  @Override
  public final T row(String tenant, JsonObject request) {
    return fromJson.apply(tenant, request);
  }

  @Override
  public final Future<List<String>> storeAll(Transaction tx, List<T> rows) {
    return store.apply(tx, rows);
  }

  @Override
  public final boolean alreadyApplied(Throwable failure) {
    return duplicate.isInstance(failure);
  }

  @Override
  public JsonObject journaledReply(JsonObject request) {
    return reply(request, "journaled");
  }

  /** {@code {"conversationId", <idField>, "status", "eventKey"}} of {@code request}. */
  final JsonObject reply(JsonObject request, String status) {
    return new JsonObject()
        .put("conversationId", request.getString("conversationId"))
        .put(idField, request.getString(idField))
        .put("status", status)
        .put("eventKey", dedupeKey("", request));
  }
}
