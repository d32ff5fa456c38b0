package dev.soma.resilience.outbox.internal;

/**
 * The settlement's SQL: marking rows published, putting failed rows back for a retry, burying rows
 * in the dead letters. Each touches only rows still leased by the settling owner (the fence: a
 * relay whose lease was taken over settles nothing). Run by {@link OutboxRepository#settle} and,
 * for marks carried by a claim, {@link OutboxRepository#claim(Claim, java.util.List)}.
 */
final class SettleSql {

  private SettleSql() {}

  static final String MARK_PUBLISHED =
      """
      UPDATE outbox_messages
         SET status = 'published', published_at = now(), attempts = attempts + 1,
             lease_owner = NULL, lease_expires_at = NULL, last_error = NULL, replayed = false
       WHERE id = ANY($1::bigint[]) AND lease_owner = $2\
      """;

  /** How many queued rows of an aggregate {@link #RESCHEDULE} holds back with its retrying row. */
  static final int HELD_SUCCESSORS = 1000;

  /**
   * Puts failed rows back with their next attempt time; {@code counted} adds to attempts. The rows
   * queued behind a row that now waits for a retry (those of this batch, and the first {@value
   * #HELD_SUCCESSORS} pending ones of its aggregate, ten times that in all per settlement) wait as
   * long: they may not go before it anyway, and while they look due they would fill the claim's
   * per-tenant window (two shares of the tenant's oldest due rows) and keep the tenant's other
   * aggregates waiting too. A replayed row (sql/V8) holds nothing back: it does not stop its
   * aggregate ({@link ClaimSql#CLAIM}). Returns how many of the failed rows it put back (the
   * others' lease was lost).
   */
  static final String RESCHEDULE =
      """
      WITH failed AS (
          SELECT f.id, f.counted, f.error, o.tenant_id, o.partition_key,
                 CASE WHEN o.partition_key IS NULL THEN f.delay
                      ELSE max(f.delay) OVER (PARTITION BY o.tenant_id, o.partition_key ORDER BY o.id)
                 END AS delay
            FROM unnest($1::bigint[], $2::int[], $3::float8[], $4::text[])
                 AS f (id, counted, delay, error)
            JOIN outbox_messages o ON o.id = f.id
      ),
      retried AS (
          UPDATE outbox_messages o
             SET attempts = o.attempts + f.counted,
                 next_attempt_at = now() + make_interval(secs => f.delay),
                 last_error = f.error, lease_owner = NULL, lease_expires_at = NULL
            FROM failed f
           WHERE o.id = f.id AND o.lease_owner = $5
          RETURNING o.id, o.tenant_id, o.partition_key, o.next_attempt_at, o.replayed
      ),
      heads AS (
          SELECT tenant_id, partition_key, min(id) AS id, max(next_attempt_at) AS until
            FROM retried
           WHERE partition_key IS NOT NULL AND next_attempt_at > now() AND NOT replayed
           GROUP BY tenant_id, partition_key
      ),
      held_back AS (
          UPDATE outbox_messages s
             SET next_attempt_at = held.until
            FROM (SELECT n.ctid, h.until
                    FROM heads h
                   CROSS JOIN LATERAL (
                         SELECT p.ctid FROM outbox_messages p
                          WHERE p.tenant_id = h.tenant_id AND p.partition_key = h.partition_key
                            AND p.status = 'pending' AND p.id > h.id AND p.next_attempt_at < h.until
                            AND NOT lease_live(p.lease_expires_at, p.lease_holder)
                            AND p.id NOT IN (SELECT id FROM retried)
                          ORDER BY p.id
                          LIMIT %d) n
                   LIMIT %d) held
           WHERE s.ctid = held.ctid
      )
      SELECT count(*) FROM retried\
      """
          .formatted(HELD_SUCCESSORS, 10 * HELD_SUCCESSORS);

  /** Moves rows to the dead letters; the outbox row stays ('dead') so its dedupe key holds. */
  static final String BURY =
      """
      WITH failed AS (
          SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[]) AS f (id, error, error_class)
      ),
      dead AS (
          UPDATE outbox_messages o
             SET status = 'dead', attempts = o.attempts + 1, last_error = failed.error,
                 lease_owner = NULL, lease_expires_at = NULL, replayed = false
            FROM failed
           WHERE o.id = failed.id AND o.lease_owner = $4
          RETURNING o.*
      )
      INSERT INTO dead_letter_messages (outbox_id, tenant_id, dedupe_key, topic, message_key, payload,
                                        headers, error_message, error_class, attempts, created_at)
      SELECT d.id, d.tenant_id, d.dedupe_key, d.topic,
             d.tenant_id || ':' || coalesce(d.partition_key, d.dedupe_key), d.payload, d.headers,
             failed.error, failed.error_class, d.attempts, d.created_at
        FROM dead d JOIN failed ON failed.id = d.id
      RETURNING topic\
      """;
}
