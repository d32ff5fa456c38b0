package dev.soma.resilience.memory;

import dev.soma.resilience.common.db.JsonRows;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The pending-memory queue in PostgreSQL. A tenant's memories leave in the order they were queued:
 * claims are serialized across nodes (advisory lock) and a memory is claimable only when no earlier
 * memory of its tenant is leased or waiting for a retry. Leases keep two nodes from sending the
 * same memory at once; a lease is {@code lease_live(lease_expires_at, lease_holder)} (sql/V7), so
 * it ends with its node's session as well as with its time, and every change a node makes under its
 * lease is fenced by {@code lease_owner}.
 */
public final class PendingMemories {

  /**
   * A claimed memory: its row, and the revision of the value it holds (see {@link
   * PendingMemorySql#SYNCED}).
   */
  public record Claimed(
      long id,
      long revision,
      Memory memory,
      int attempts,
      int maxAttempts,
      java.time.OffsetDateTime createdAt) {}

  static final long CLAIM_LOCK = 0x4d_45_4d_53_59_4eL;

  /** The topic a dead memory is filed under (it has no Kafka topic of its own). */
  public static final String DEAD_LETTER_TOPIC = "somabrain.memory.remember";

  private final Pool pool;

  public PendingMemories(Pool pool) {
    this.pool = pool;
  }

  /**
   * Queues {@code memory} on {@code client} (a transaction or the pool). A memory with the same
   * tenant, namespace and key (its identity at SomaBrain) is replaced as a new revision, and keeps
   * any lease: a send of the old value in flight ends that lease without marking it synced ({@link
   * #SYNCED}), so the new value is sent after the old one, never beside it (SomaBrain keeps the
   * last).
   */
  public Future<Void> enqueue(SqlClient client, Memory memory, int maxAttempts) {
    return client
        .preparedQuery(PendingMemorySql.ENQUEUE)
        .execute(
            Tuple.of(
                memory.tenant(),
                memory.key(),
                memory.namespace(),
                memory.value(),
                memory.meta(),
                maxAttempts))
        .mapEmpty();
  }

  /** Whether the tenant has memories waiting (a new one must then wait behind them). */
  public Future<Boolean> hasPending(String tenant) {
    return pool.preparedQuery(PendingMemorySql.HAS_PENDING)
        .execute(Tuple.of(tenant))
        .map(rows -> rows.iterator().next().getBoolean(0));
  }

  /**
   * Leases up to {@code perTenant} due memories of each of up to {@code tenants} tenants for {@code
   * owner}, whose leases end with the session holding {@code holder} (null: with their time only).
   */
  public Future<List<Claimed>> claim(
      String owner, Integer holder, int perTenant, int tenants, Duration lease) {
    return pool.withTransaction(
        tx ->
            tx.preparedQuery("SELECT pg_advisory_xact_lock($1)")
                .execute(Tuple.of(CLAIM_LOCK))
                .compose(
                    v ->
                        tx.preparedQuery(PendingMemorySql.CLAIM)
                            .execute(
                                Tuple.of(
                                    perTenant, tenants, owner, lease.toMillis() / 1000.0, holder)))
                .map(
                    rows -> {
                      List<Claimed> claimed = new ArrayList<>();
                      for (Row row : rows) {
                        claimed.add(
                            new Claimed(
                                row.getLong("id"),
                                row.getLong("revision"),
                                new Memory(
                                    row.getString("tenant_id"),
                                    row.getString("namespace"),
                                    row.getString("memory_key"),
                                    row.getJsonObject("value"),
                                    row.getJsonObject("meta")),
                                row.getInteger("attempts"),
                                row.getInteger("max_attempts"),
                                row.getOffsetDateTime("created_at")));
                      }
                      claimed.sort((a, b) -> Long.compare(a.id(), b.id()));
                      return claimed;
                    }));
  }

  /** {@code memory} was sent: see {@link PendingMemorySql#SYNCED}. */
  public Future<Void> synced(Claimed memory, String owner) {
    return pool.preparedQuery(PendingMemorySql.SYNCED)
        .execute(Tuple.of(memory.id(), owner, memory.revision()))
        .mapEmpty();
  }

  public Future<Void> reschedule(
      Claimed memory, String owner, boolean counted, Duration delay, String error) {
    return pool.preparedQuery(PendingMemorySql.RESCHEDULE)
        .execute(
            Tuple.of(
                memory.id(),
                owner,
                counted ? 1 : 0,
                delay.toMillis() / 1000.0,
                error,
                memory.revision()))
        .mapEmpty();
  }

  /** Gives claimed memories back untouched (they keep their place in the queue). */
  public Future<Void> release(List<Long> ids, String owner) {
    return ids.isEmpty()
        ? Future.succeededFuture()
        : pool.preparedQuery(PendingMemorySql.RELEASE)
            .execute(Tuple.of(ids.toArray(Long[]::new), owner))
            .mapEmpty();
  }

  /**
   * Files revision {@code memory} as a dead letter; false when it is not {@code owner}'s to bury,
   * or was queued again meanwhile: then its lease ends, and the new value is tried afresh.
   */
  public Future<Boolean> bury(Claimed memory, String owner, String error, String errorClass) {
    return pool.preparedQuery(PendingMemorySql.BURY)
        .execute(Tuple.of(memory.id(), owner, error, errorClass, memory.revision()))
        .compose(
            rows ->
                rows.rowCount() > 0
                    ? Future.succeededFuture(true)
                    : release(List.of(memory.id()), owner).map(false));
  }

  /**
   * The tenant's pending memories in {@code namespace} with a string value (at any depth) that
   * contains {@code query}, case-insensitively, newest first (see {@link
   * PendingMemorySql#MATCHING}).
   */
  public Future<JsonArray> matching(String tenant, String namespace, String query, int limit) {
    return pool.preparedQuery(PendingMemorySql.MATCHING)
        .execute(Tuple.of(tenant, namespace, escapeLike(query), limit))
        .map(rows -> JsonRows.array(rows, PendingMemories::match));
  }

  private static JsonObject match(Row row) {
    return new JsonObject()
        .put("key", row.getString("memory_key"))
        .put("namespace", row.getString("namespace"))
        .put("content", row.getJsonObject("value"))
        .put("source", "pending")
        .put("queuedAt", JsonRows.instant(row, "created_at"));
  }

  /** Pending count and age of the oldest pending memory, per tenant. */
  public Future<List<JsonObject>> stats() {
    return pool.query(PendingMemorySql.STATS)
        .execute()
        .map(
            rows ->
                JsonRows.list(
                    rows,
                    row ->
                        new JsonObject()
                            .put("tenant", row.getString("tenant_id"))
                            .put("pending", row.getLong("pending"))
                            .put("lagSeconds", row.getNumeric("lag").doubleValue())));
  }

  private static String escapeLike(String query) {
    return query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }
}
