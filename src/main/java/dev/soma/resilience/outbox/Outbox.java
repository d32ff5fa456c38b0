package dev.soma.resilience.outbox;

import dev.soma.resilience.common.db.Transaction;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/**
 * Writes events to the transactional outbox. The outbox owns no transaction: {@link #enqueue} joins
 * the caller's (see {@link Transaction#run}), so the business rows and their events commit or roll
 * back together, and the relay publishes them to Kafka only after the commit. Once the transaction
 * has committed, the outbox wakes this process's relays at once (an after-commit hook it registers
 * itself); a relay that listens on PostgreSQL also hears of commits made elsewhere through {@code
 * NOTIFY}, and every relay polls as the safety net. Enqueueing an existing {@code (tenant, dedupe
 * key)} is a no-op that reports {@code false}, which makes retries of a whole business operation
 * safe.
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

  /** One instance, so that a transaction with many enqueues wakes the relays once. */
  private final Runnable wakeRelays = this::committed;

  public Outbox(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * Adds {@code entry} inside the transaction open on {@code tx}. Completes with {@code true} when
   * this call created the event, {@code false} when the tenant already had one with this dedupe
   * key. The event becomes visible to the relay when the caller commits, and the relay is woken
   * then; if the transaction rolls back, the event is gone with it.
   */
  public Future<Boolean> enqueue(Transaction tx, OutboxEntry entry) {
    return enqueueAll(tx, List.of(entry)).map(created -> created == 1);
  }

  /**
   * Adds several entries, in list order, in one statement (a fraction of the database's work of one
   * insert per entry); completes with how many were new.
   */
  public Future<Integer> enqueueAll(Transaction tx, List<OutboxEntry> entries) {
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
    tx.afterCommit(wakeRelays);
    return tx.preparedQuery(INSERT_ALL)
        .execute(Tuple.of(tenants, dedupeKeys, topics, partitionKeys, payloads, headers))
        .map(rows -> rows.rowCount());
  }

  /**
   * Tells the relays of this process that new events were committed; relays in other processes,
   * clustered or not, learn of them from PostgreSQL ({@code NOTIFY}) or their poll. Enqueueing
   * registers it after the commit; call it directly only after committing rows the relay would
   * otherwise find by its poll.
   */
  void committed() {
    vertx.eventBus().publish(OutboxAddresses.COMMITTED, new JsonObject());
  }
}
