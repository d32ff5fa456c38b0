package dev.soma.resilience.outbox.internal;

/**
 * The claim's SQL: the transaction opener, the bucket lock and the claim statement itself. Run by
 * {@link OutboxRepository#claim}, pipelined in one round trip.
 */
final class ClaimSql {

  private ClaimSql() {}

  /** The advisory lock class; any constant works as long as every relay uses it. */
  static final int CLAIM_LOCK_CLASS = 0x534f_4d41;

  /**
   * Opens a claim's transaction. The claim's generic plan serves both of its paths (each gated by a
   * one-time filter) and is planned once per connection, the claim being a cached prepared
   * statement ({@code Database} lifts the client's length limit for the cache); a custom plan is
   * planned again on every claim, which at a trickle of small claims costs more than the claim
   * itself (about 1.2 ms of planning against 0.5 ms of running at 2,000 events/s).
   */
  static final String BEGIN_CLAIM = "BEGIN; SET LOCAL plan_cache_mode = force_generic_plan";

  /** Locks the claimed bucket, or all of them in a fixed order (so claims cannot deadlock). */
  static final String LOCK_CLAIMS =
      """
      SELECT pg_advisory_xact_lock($1, b) FROM generate_series(0, $2 - 1) AS b
       WHERE $3 < 0 OR b = $3\
      """;

  /**
   * For each aggregate {@code k} of a claim window ({@code tenant_id}, {@code partition_key}, its
   * {@code last} windowed id), {@code b.id}: the first of its pending rows before {@code last} that
   * stops it (leased by another owner, or waiting for a retry; never a replayed row, nor one the
   * claim's owner {@code $7} leases), or NULL. Shared by both windows of {@link #CLAIM}.
   */
  private static final String FIRST_STOP =
      """
            LEFT JOIN LATERAL (
                 SELECT p.id FROM outbox_messages p
                  WHERE p.tenant_id = k.tenant_id
                    AND p.partition_key >= k.partition_key AND p.partition_key <= k.partition_key
                    AND p.status = 'pending' AND p.id < k.last AND NOT p.replayed
                    AND NOT (p.lease_owner = $7 AND p.lease_expires_at >= now()) IS TRUE
                    AND (p.next_attempt_at > now() OR lease_live(p.lease_expires_at, p.lease_holder))
                  ORDER BY p.tenant_id, p.partition_key, p.id
                  LIMIT 1) b ON true
      """;

  /**
   * Fair, ordered claim on the tenants of bucket {@code $10} ({@code -1}: all; a tenant's bucket is
   * {@code hashtext(tenant_id) & $11}, {@code $11} being {@code CLAIM_BUCKETS - 1}), by one of two
   * paths chosen once per statement.
   *
   * <p><b>The order rule</b>, the same on both paths: a row of an aggregate (tenant and partition
   * key) is taken only if every earlier pending row of its aggregate is taken by this claim too, or
   * is still leased by this claim's owner ({@code $7}). Those are batches the owner has handed to
   * its one ordered path to the producer, and this claim's rows will follow them on it, so an
   * aggregate may have several batches in flight ({@link OrderFences} says what happens when one of
   * them fails). A row leased by another owner, or waiting for a retry, stops its aggregate here. A
   * replayed row ({@code replayed}, sql/V8) never stops its aggregate: a replay sends old events
   * again, out of order by definition, paced over minutes, and its rows must not hold the
   * aggregate's live events back until their paced time ({@code few}'s {@code blocked} window and
   * the {@code stops} walk skip them; nothing else changes: a replayed row is itself taken when it
   * is due and no earlier non-replayed row stops it).
   *
   * <p><b>Small backlog</b> (at most a batch of pending rows in the whole table): the pending rows,
   * read once (in pending-index order, so the plan stays an index scan whatever the statistics say)
   * both to count them and to claim from them, are filtered to the bucket, and a row is taken when
   * it is due, unleased, not behind a row of its aggregate that stops it (a window over the rows
   * read, no index probes), and within its tenant's remaining quota. Everything due fits in the
   * batch, so this is fair by construction, and cheap: this is the path that keeps latency low
   * under a steady trickle.
   *
   * <p><b>Backlog</b>: tenants with pending rows are enumerated with a skip scan (starting after
   * {@code $3}, until {@code $2} of the bucket's were found) and each of the bucket's gets an equal
   * share of the batch, capped by its remaining quota ({@code $5}/{@code $6}, else {@code $9};
   * {@code $4} lists tenants with none left). Within a tenant only its oldest due, unleased rows
   * are looked at (a window of two shares, {@code win}). For each aggregate in the window, one
   * index walk over its pending rows up to its last windowed row finds the first row that stops it
   * ({@code stops}); its windowed rows before that one are candidates. That walk reads the owner's
   * own rows in flight and the window's rows, never the aggregate's backlog beyond the window, so a
   * claim's cost per row does not grow with the rows pending per aggregate. When the order rule cut
   * aggregates short in a tenant's window and left it less than its share, a second window ({@code
   * win2}, checked by {@code stops2} the same way) reads on past the first one, leaving the cut
   * aggregates' rows out: rows queued behind a busy, stalled or retrying aggregate cost reading but
   * never use up their tenant's turn, however many they are. The tenant's candidates are taken up
   * to its share, oldest first; when the rounded-up shares exceed the batch, each tenant's oldest
   * rows go first. The skip scan orders by {@code (tenant_id, id)}, the key of the partial pending
   * index, so PostgreSQL walks pending rows only (ordered by {@code tenant_id} alone it may pick
   * the unique index and read every published row awaiting retention).
   *
   * <p>The window scans say {@code tenant_id >= t AND tenant_id <= t} where they mean {@code = t},
   * and the stop walks the same for the partition key: with an equality PostgreSQL drops the column
   * from the wanted order, and then, with one hot tenant or key where its statistics see nothing
   * selective, may walk the primary key in id order instead, reading every published row awaiting
   * retention (measured: 63k buffers against 2k for one claim behind 50k published rows). As a
   * range the order is one only the partial pending indexes give.
   *
   * <p>"Leased" is {@code lease_live(lease_expires_at, lease_holder)} (sql/V7) wherever another
   * owner's lease is tested: not expired, and its holder's session alive ({@link
   * dev.soma.resilience.common.db.LeaseKeeper}), so a dead relay's rows are free at once. The
   * owner's own leases are tested by time only (it claims only while its keeper holds its lock). A
   * claim writes its holder ({@code $12}) next to its owner.
   *
   * <p>A lease counts from the moment the row is leased ({@code clock_timestamp()}), not from the
   * transaction's start ({@code now()}): the claim may have waited on the bucket's lock behind
   * another relay's claim, and a lease counted from before that wait would be handed out partly or
   * wholly spent. Every other time in the claim stays {@code now()}, one instant for the whole
   * statement (a row's due time and other owners' leases are judged as of the claim's start, which
   * at worst leaves a row that became free during the wait to the next claim).
   *
   * <p>Both paths carry each candidate's tuple id ({@code ctid}), so locking and leasing it fetch
   * the row directly instead of looking its id up in the primary key twice more. A row some other
   * transaction updated after this statement's snapshot has a newer tuple, no longer matches, and
   * is skipped like a locked one.
   *
   * <p>The result is read by position ({@link ClaimedEvent#from}): one row per leased event, or a
   * single row with NULL event columns when nothing was leased. Its last column, the same on every
   * row, is where the bucket's tenant rotation continues: the last tenant the backlog path
   * enumerated when it stopped at its limit of {@code $2} (more tenants may follow), else NULL
   * (start from the first tenant again). It comes back even when nothing was leased, so a batch's
   * worth of tenants with nothing to send (all leased, or waiting for a retry) cannot keep the
   * rotation from reaching the tenants after them. It is computed here because only the database
   * knows its collation's order, which the next claim's {@code tenant_id > $3} follows.
   */
  static final String CLAIM =
      """
      WITH RECURSIVE head AS (
          SELECT id, ctid, tenant_id, partition_key,
                 next_attempt_at <= now() AND NOT lease_live(lease_expires_at, lease_holder) AS free,
                 (lease_owner = $7 AND lease_expires_at >= now()) IS TRUE AS mine, replayed
            FROM outbox_messages
           WHERE status = 'pending'
           ORDER BY tenant_id, id LIMIT $1 + 1
      ),
      small AS (
          SELECT count(*) <= $1 AS yes FROM head
      ),
      quota AS (
          SELECT * FROM unnest($5::text[], $6::int[]) AS q (tenant_id, remaining)
      ),
      few AS (
          SELECT f.id, f.ctid, f.tenant_id,
                 row_number() OVER (PARTITION BY f.tenant_id ORDER BY f.id) AS rank
            FROM (SELECT o.id, o.ctid, o.tenant_id, o.free,
                         o.partition_key IS NOT NULL AND coalesce(bool_or(NOT o.free AND NOT o.mine AND NOT o.replayed) OVER (
                             PARTITION BY o.tenant_id, o.partition_key ORDER BY o.id
                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false) AS blocked
                    FROM head o
                   WHERE (SELECT yes FROM small)
                     AND ($10 < 0 OR (hashtext(o.tenant_id) & $11) = $10)
                     AND o.tenant_id <> ALL($4::text[])) f
           WHERE f.free AND NOT f.blocked
      ),
      tenants (tenant_id, n) AS (
          SELECT f.tenant_id, ($10 < 0 OR (hashtext(f.tenant_id) & $11) = $10)::int
            FROM (SELECT tenant_id FROM outbox_messages
                   WHERE NOT (SELECT yes FROM small)
                     AND status = 'pending' AND tenant_id > $3 AND tenant_id <> ALL($4::text[])
                   ORDER BY tenant_id, id LIMIT 1) f
        UNION ALL
          SELECT nxt.tenant_id, t.n + ($10 < 0 OR (hashtext(nxt.tenant_id) & $11) = $10)::int
            FROM tenants t
           CROSS JOIN LATERAL (
                 SELECT o.tenant_id FROM outbox_messages o
                  WHERE o.status = 'pending' AND o.tenant_id > t.tenant_id
                    AND o.tenant_id <> ALL($4::text[])
                  ORDER BY o.tenant_id, o.id LIMIT 1) nxt
           WHERE t.n < $2
      ),
      mine AS (
          SELECT tenant_id FROM tenants WHERE $10 < 0 OR (hashtext(tenant_id) & $11) = $10
      ),
      active AS (
          SELECT m.tenant_id,
                 least(ceil($1::numeric / (SELECT count(*) FROM mine)),
                       coalesce(q.remaining, $9))::int AS share
            FROM mine m
            LEFT JOIN quota q ON q.tenant_id = m.tenant_id
      ),
      win AS (
          SELECT a.tenant_id, a.share, w.id, w.ctid, w.partition_key
            FROM active a
           CROSS JOIN LATERAL (
                 SELECT o.id, o.ctid, o.partition_key
                   FROM outbox_messages o
                  WHERE o.tenant_id >= a.tenant_id AND o.tenant_id <= a.tenant_id
                    AND o.status = 'pending' AND o.next_attempt_at <= now()
                    AND NOT lease_live(o.lease_expires_at, o.lease_holder)
                  ORDER BY o.tenant_id, o.id
                  LIMIT a.share * 2) w
      ),
      stops AS (
          SELECT k.tenant_id, k.partition_key, k.last, coalesce(b.id, k.last + 1) AS stop
            FROM (SELECT tenant_id, partition_key, max(id) AS last
                    FROM win WHERE partition_key IS NOT NULL
                   GROUP BY tenant_id, partition_key) k
      """
          + FIRST_STOP
          + """
      ),
      kept AS (
          SELECT w.tenant_id, w.share, w.id, w.ctid
            FROM win w
            LEFT JOIN stops s ON s.tenant_id = w.tenant_id AND s.partition_key = w.partition_key
           WHERE w.partition_key IS NULL OR w.id < s.stop
      ),
      cut AS (
          SELECT a.tenant_id, a.share, c.keys,
                 (SELECT max(w.id) FROM win w WHERE w.tenant_id = a.tenant_id) AS after
            FROM active a
            JOIN (SELECT tenant_id, array_agg(partition_key) AS keys
                    FROM stops WHERE stop <= last
                   GROUP BY tenant_id) c ON c.tenant_id = a.tenant_id
           WHERE (SELECT count(*) FROM kept k WHERE k.tenant_id = a.tenant_id) < a.share
      ),
      win2 AS (
          SELECT c.tenant_id, c.share, w.id, w.ctid, w.partition_key
            FROM cut c
           CROSS JOIN LATERAL (
                 SELECT o.id, o.ctid, o.partition_key
                   FROM outbox_messages o
                  WHERE o.tenant_id >= c.tenant_id AND o.tenant_id <= c.tenant_id
                    AND o.status = 'pending' AND o.id > c.after
                    AND o.next_attempt_at <= now()
                    AND (o.partition_key IS NULL OR o.partition_key <> ALL(c.keys))
                    AND NOT lease_live(o.lease_expires_at, o.lease_holder)
                  ORDER BY o.tenant_id, o.id
                  LIMIT c.share * 2) w
      ),
      stops2 AS (
          SELECT k.tenant_id, k.partition_key, coalesce(b.id, k.last + 1) AS stop
            FROM (SELECT tenant_id, partition_key, max(id) AS last
                    FROM win2 WHERE partition_key IS NOT NULL
                   GROUP BY tenant_id, partition_key) k
      """
          + FIRST_STOP
          + """
      ),
      candidates AS (
          SELECT c.id, c.ctid, c.rank
            FROM (SELECT t.id, t.ctid, t.share,
                         row_number() OVER (PARTITION BY t.tenant_id ORDER BY t.id) AS rank
                    FROM (SELECT tenant_id, share, id, ctid FROM kept
                          UNION ALL
                          SELECT w.tenant_id, w.share, w.id, w.ctid
                            FROM win2 w
                            LEFT JOIN stops2 s
                              ON s.tenant_id = w.tenant_id AND s.partition_key = w.partition_key
                           WHERE w.partition_key IS NULL OR w.id < s.stop) t) c
           WHERE c.rank <= c.share
        UNION ALL
          SELECT few.id, few.ctid, few.rank
            FROM few LEFT JOIN quota q ON q.tenant_id = few.tenant_id
           WHERE few.rank <= coalesce(q.remaining, $9)
      ),
      picked AS (
          SELECT o.ctid FROM outbox_messages o
            JOIN candidates c ON c.ctid = o.ctid
           ORDER BY c.rank, o.id
           LIMIT $1
             FOR UPDATE OF o SKIP LOCKED
      ),
      leased AS (
          UPDATE outbox_messages m
             SET lease_owner = $7, lease_holder = $12,
                 lease_expires_at = clock_timestamp() + make_interval(secs => $8)
            FROM picked
           WHERE m.ctid = picked.ctid
          RETURNING m.id, m.tenant_id, m.dedupe_key, m.topic, m.partition_key,
                    m.payload::text AS payload, m.headers, m.attempts, m.max_attempts, m.created_at
      )
      SELECT l.*, r.rotation
        FROM (SELECT (SELECT max(tenant_id) FROM mine HAVING count(*) >= $2) AS rotation) r
        LEFT JOIN leased l ON true\
      """;
}
