package dev.soma.resilience.memory;

/**
 * The statements of the pending-memory queue ({@link PendingMemories}), named: queueing, claiming,
 * settling a claim (each settle fenced by the lease's owner and, for the memory's fate, by the
 * revision it claimed), and reading.
 */
final class PendingMemorySql {

  private PendingMemorySql() {}

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
          .formatted(PendingMemories.DEAD_LETTER_TOPIC);

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
}
