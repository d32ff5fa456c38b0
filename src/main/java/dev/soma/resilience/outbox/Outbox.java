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

  /**
   * The outbox's one insert, for one entry or many: a row per list element, inserted in list order
   * (so ids, and with them the relay's per-key order, follow the list); a dedupe key repeated
   * within the list keeps its first entry.
   */
  static final String INSERT_ALL =
      """
      INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, partition_key, payload, headers)
      SELECT e.tenant_id, e.dedupe_key, e.topic, e.partition_key, e.payload::jsonb, e.headers::jsonb
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
             WITH ORDINALITY AS e (tenant_id, dedupe_key, topic, partition_key, payload, headers, n)
       ORDER BY e.n
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
    return enqueueAll(tx, List.of(entry)).map(created -> created == 1);
  }

  /**
   * Adds several entries, in list order, in one statement (a fraction of the database's work of one
   * insert per entry); completes with how many were new.
   */
  public Future<Integer> enqueueAll(SqlConnection tx, List<OutboxEntry> entries) {
    if (entries.isEmpty()) {
      return Future.succeededFuture(0);
    }
    int n = entries.size();
    String[] tenants = new String[n];
    String[] dedupeKeys = new String[n];
    String[] topics = new String[n];
    String[] partitionKeys = new String[n];
    String[] payloads = new String[n];
    String[] headers = new String[n];
    for (int i = 0; i < n; i++) {
      OutboxEntry e = entries.get(i);
      tenants[i] = e.tenantId();
      dedupeKeys[i] = e.dedupeKey();
      topics[i] = e.topic();
      partitionKeys[i] = e.partitionKey();
      payloads[i] = e.payload().encode();
      headers[i] = e.headers().encode();
    }
    return tx.preparedQuery(INSERT_ALL)
        .execute(Tuple.of(tenants, dedupeKeys, topics, partitionKeys, payloads, headers))
        .map(rows -> rows.rowCount());
  }

  /**
   * Runs {@code work} in a transaction on {@code pool}; after a successful commit, wakes the
   * relays. A failed future from {@code work} rolls everything back, events included.
   */
  public <T> Future<T> inTransaction(Pool pool, Function<SqlConnection, Future<T>> work) {
    return pool.withTransaction(work).onSuccess(ignored -> committed());
  }

  /**
   * Tells the relays of this process (its event bus is not clustered) that new events were
   * committed; relays in other processes learn of them from PostgreSQL ({@code NOTIFY}) or their
   * poll.
   */
  public void committed() {
    vertx.eventBus().publish(OutboxAddresses.COMMITTED, new JsonObject());
  }
}
