package dev.soma.resilience.outbox;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.function.Function;

/**
 * Writes events to the transactional outbox. {@link #enqueue} joins the caller's open transaction,
 * so the business rows and their events commit or roll back together; the relay publishes them to
 * Kafka after the commit. Enqueueing an existing {@code (tenant, dedupe key)} is a no-op that
 * reports {@code false}, which makes retries of a whole business operation safe.
 */
public final class Outbox {

  static final String INSERT =
      """
      INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, partition_key, payload, headers)
      VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (tenant_id, dedupe_key) DO NOTHING
      RETURNING id\
      """;

  private final Vertx vertx;

  public Outbox(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * Adds {@code entry} inside the transaction open on {@code tx}. Completes with {@code true} when
   * this call created the event, {@code false} when the tenant already had one with this dedupe
   * key. The event becomes visible to the relay when the caller commits; call {@link #committed()}
   * after the commit (or use {@link #inTransaction}) so the relay wakes without waiting for its
   * poll.
   */
  public Future<Boolean> enqueue(SqlConnection tx, OutboxEntry entry) {
    return tx.preparedQuery(INSERT).execute(params(entry)).map(rows -> rows.rowCount() == 1);
  }

  /** Adds several entries in one round trip; completes with how many were new. */
  public Future<Integer> enqueueAll(SqlConnection tx, List<OutboxEntry> entries) {
    if (entries.isEmpty()) {
      return Future.succeededFuture(0);
    }
    List<Tuple> batch = entries.stream().map(Outbox::params).toList();
    return tx.preparedQuery(INSERT)
        .executeBatch(batch)
        .map(
            rows -> {
              int created = 0;
              for (var r = rows; r != null; r = r.next()) {
                created += r.rowCount();
              }
              return created;
            });
  }

  /**
   * Runs {@code work} in a transaction on {@code pool}; after a successful commit, wakes the
   * relays. A failed future from {@code work} rolls everything back, events included.
   */
  public <T> Future<T> inTransaction(Pool pool, Function<SqlConnection, Future<T>> work) {
    return pool.withTransaction(work).onSuccess(ignored -> committed());
  }

  /** Tells the relays (on every node) that new events were committed. */
  public void committed() {
    vertx.eventBus().publish(OutboxAddresses.COMMITTED, new JsonObject());
  }

  private static Tuple params(OutboxEntry e) {
    return Tuple.of(
        e.tenantId(), e.dedupeKey(), e.topic(), e.partitionKey(), e.payload(), e.headers());
  }
}
