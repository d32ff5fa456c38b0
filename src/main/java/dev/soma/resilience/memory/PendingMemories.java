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

  /** A claimed memory: its row, and the revision of the value it holds (see {@link #SYNCED}). */
  public record Claimed(
      long id,
      long revision,
      Memory memory,
      int attempts,
      int maxAttempts,
      java.time.OffsetDateTime createdAt) {}

  static final long CLAIM_LOCK = 0x4d_45_4d_53_59_4eL;

  static final String ENQUEUE =
      """
      INSERT INTO pending_memories (tenant_id, memory_key, namespace, value, meta, max_attempts)
      VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (tenant_id, namespace, memory_key) DO UPDATE
         SET value = EXCLUDED.value, meta = EXCLUDED.meta, revision = pending_memories.revision + 1,
             status = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL\
      """;

  static final String HAS_PENDING =
      "SELECT EXISTS (SELECT 1 FROM pending_memories WHERE tenant_id = $1 AND status = 'pending')";

  /**
   * Leases up to {@code $1} due memories of each of up to {@code $2} tenants, each behind every
   * earlier memory of its tenant. Run after taking {@link #CLAIM_LOCK}: the lease counts from the
   * moment of the claim ({@code clock_timestamp()}), not from the transaction's start ({@code
   * now()}), which may lie a lock wait before it.
   */
  static final String CLAIM =
      """
      WITH RECURSIVE tenants (tenant_id, n) AS (
          (SELECT tenant_id, 1 FROM pending_memories WHERE status = 'pending'
            ORDER BY tenant_id LIMIT 1)
        UNION ALL
          SELECT (SELECT p.tenant_id FROM pending_memories p
                   WHERE p.status = 'pending' AND p.tenant_id > t.tenant_id
                   ORDER BY p.tenant_id LIMIT 1), t.n + 1
            FROM tenants t WHERE t.tenant_id IS NOT NULL AND t.n < $2
      ),
      picked AS (
          SELECT c.id FROM tenants t
           CROSS JOIN LATERAL (
                 SELECT p.id FROM pending_memories p
                  WHERE p.tenant_id = t.tenant_id AND p.status = 'pending'
                    AND p.next_attempt_at <= now()
                    AND NOT lease_live(p.lease_expires_at, p.lease_holder)
                    AND NOT EXISTS (
                        SELECT 1 FROM pending_memories e
                         WHERE e.tenant_id = p.tenant_id AND e.status = 'pending' AND e.id < p.id
                           AND (e.next_attempt_at > now()
                                OR lease_live(e.lease_expires_at, e.lease_holder)))
                  ORDER BY p.id
                  LIMIT $1
                    FOR UPDATE SKIP LOCKED) c
           WHERE t.tenant_id IS NOT NULL
      )
      UPDATE pending_memories m
         SET lease_owner = $3, lease_holder = $5,
             lease_expires_at = clock_timestamp() + make_interval(secs => $4)
        FROM picked WHERE m.id = picked.id
      RETURNING m.id, m.revision, m.tenant_id, m.namespace, m.memory_key, m.value, m.meta,
                m.attempts, m.max_attempts, m.created_at\
      """;

  /**
   * Marks revision {@code $3} of memory {@code $1} synced, if {@code $2} still leases it. When the
   * memory was queued again while its send was in flight (a later revision: its lease was kept, so
   * nobody sent the new value meanwhile), only the lease ends: the new value is then claimed and
   * sent after the old one, so SomaBrain keeps the last.
   */
  static final String SYNCED =
      """
      UPDATE pending_memories
         SET status = CASE WHEN revision = $3 THEN 'synced' ELSE status END,
             synced_at = CASE WHEN revision = $3 THEN now() ELSE synced_at END,
             attempts = CASE WHEN revision = $3 THEN attempts + 1 ELSE attempts END,
             last_error = CASE WHEN revision = $3 THEN NULL ELSE last_error END,
             lease_owner = NULL, lease_expires_at = NULL
       WHERE id = $1 AND lease_owner = $2\
      """;

  /**
   * Puts off revision {@code $6} after a failed send, as {@link #SYNCED}: a later one waits not.
   */
  static final String RESCHEDULE =
      """
      UPDATE pending_memories
         SET attempts = CASE WHEN revision = $6 THEN attempts + $3 ELSE attempts END,
             next_attempt_at = CASE WHEN revision = $6 THEN now() + make_interval(secs => $4)
                                    ELSE next_attempt_at END,
             last_error = CASE WHEN revision = $6 THEN $5 ELSE last_error END,
             lease_owner = NULL, lease_expires_at = NULL
       WHERE id = $1 AND lease_owner = $2\
      """;

  static final String RELEASE =
      "UPDATE pending_memories SET lease_owner = NULL, lease_expires_at = NULL"
          + " WHERE id = ANY($1::bigint[]) AND lease_owner = $2";

  /** The topic a dead memory is filed under (it has no Kafka topic of its own). */
  public static final String DEAD_LETTER_TOPIC = "somabrain.memory.remember";

  static final String BURY =
      """
      WITH dead AS (
          UPDATE pending_memories SET status = 'dead', attempts = attempts + 1, last_error = $3,
                 lease_owner = NULL, lease_expires_at = NULL
           WHERE id = $1 AND lease_owner = $2 AND revision = $5
          RETURNING *
      )
      INSERT INTO dead_letter_messages (memory_id, tenant_id, dedupe_key, topic, message_key,
                                        payload, headers, error_message, error_class, attempts,
                                        created_at)
      SELECT id, tenant_id, namespace || '/' || memory_key, '%s',
             tenant_id || ':' || namespace || '/' || memory_key,
             jsonb_build_object('namespace', namespace, 'key', memory_key, 'value', value,
                                'meta', meta),
             '{}'::jsonb, $3, $4, attempts, created_at
        FROM dead\
      """
          .formatted(DEAD_LETTER_TOPIC);

  /**
   * The tenant's pending memories in namespace {@code $2} one of whose string values (at any depth,
   * in objects and arrays) contains {@code $3}, a LIKE pattern's escaped text, case-insensitively.
   * Keys, numbers and the JSON's syntax never match: {@code "content"} or {@code "{"} is not in
   * every memory.
   */
  static final String MATCHING =
      """
      SELECT memory_key, namespace, value, created_at FROM pending_memories p
       WHERE tenant_id = $1 AND namespace = $2 AND status = 'pending'
         AND EXISTS (SELECT 1
                       FROM jsonb_path_query(p.value, 'strict $.** ? (@.type() == "string")') s
                      WHERE s #>> '{}' ILIKE '%' || $3 || '%')
       ORDER BY id DESC LIMIT $4\
      """;

  static final String STATS =
      "SELECT tenant_id, count(*) AS pending, extract(epoch FROM now() - min(created_at)) AS lag"
          + " FROM pending_memories WHERE status = 'pending' GROUP BY tenant_id";

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
        .preparedQuery(ENQUEUE)
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
    return pool.preparedQuery(HAS_PENDING)
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
                        tx.preparedQuery(CLAIM)
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

  /** {@code memory} was sent: see {@link #SYNCED}. */
  public Future<Void> synced(Claimed memory, String owner) {
    return pool.preparedQuery(SYNCED)
        .execute(Tuple.of(memory.id(), owner, memory.revision()))
        .mapEmpty();
  }

  public Future<Void> reschedule(
      Claimed memory, String owner, boolean counted, Duration delay, String error) {
    return pool.preparedQuery(RESCHEDULE)
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
        : pool.preparedQuery(RELEASE).execute(Tuple.of(ids.toArray(Long[]::new), owner)).mapEmpty();
  }

  /**
   * Files revision {@code memory} as a dead letter; false when it is not {@code owner}'s to bury,
   * or was queued again meanwhile: then its lease ends, and the new value is tried afresh.
   */
  public Future<Boolean> bury(Claimed memory, String owner, String error, String errorClass) {
    return pool.preparedQuery(BURY)
        .execute(Tuple.of(memory.id(), owner, error, errorClass, memory.revision()))
        .compose(
            rows ->
                rows.rowCount() > 0
                    ? Future.succeededFuture(true)
                    : release(List.of(memory.id()), owner).map(false));
  }

  /**
   * The tenant's pending memories in {@code namespace} with a string value (at any depth) that
   * contains {@code query}, case-insensitively, newest first (see {@link #MATCHING}).
   */
  public Future<JsonArray> matching(String tenant, String namespace, String query, int limit) {
    return pool.preparedQuery(MATCHING)
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
    return pool.query(STATS)
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
