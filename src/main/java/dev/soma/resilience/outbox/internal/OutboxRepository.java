package dev.soma.resilience.outbox.internal;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The relay's SQL. Tenants fall into {@link #CLAIM_BUCKETS} buckets by a hash of their id, and
 * claims on one bucket are serialized across relays by a transaction-scoped advisory lock (a claim
 * takes milliseconds), so a claim always sees every earlier claim's leases on its tenants: that is
 * what lets the per-key order check be exact with any number of relays. Claims on different buckets
 * touch different tenants, hence different keys, and run in parallel. Rows are never locked while
 * Kafka is being waited for: the lease columns, not a row lock, keep other relays off a claimed
 * row.
 */
public final class OutboxRepository {

  /**
   * How many tenant buckets claims are spread over: the most claims that can run at once. Every
   * relay must use the same value (and the same hash): it is part of the ordering protocol.
   */
  public static final int CLAIM_BUCKETS = 4;

  /** A claim on every bucket at once (the one-shot drain and tools). */
  public static final int ALL_BUCKETS = -1;

  /** The advisory lock class; any constant works as long as every relay uses it. */
  static final int CLAIM_LOCK_CLASS = 0x534f_4d41;

  /**
   * Opens a claim's transaction. The claim's generic plan serves both of its paths (each gated by a
   * one-time filter) and costs nothing to plan; a custom plan is planned again on every claim,
   * which at a trickle of small claims costs more than the claim itself.
   */
  static final String BEGIN_CLAIM = "BEGIN; SET LOCAL plan_cache_mode = force_generic_plan";

  /** Locks the claimed bucket, or all of them in a fixed order (so claims cannot deadlock). */
  static final String LOCK_CLAIMS =
      """
      SELECT pg_advisory_xact_lock($1, b) FROM generate_series(0, $2 - 1) AS b
       WHERE $3 < 0 OR b = $3\
      """;

  /**
   * Fair, ordered claim on the tenants of bucket {@code $10} ({@code -1}: all), by one of two paths
   * chosen once per statement.
   *
   * <p><b>Small backlog</b> (at most a batch of pending rows in the whole table): every pending row
   * of the bucket is read (in pending-index order, so the plan stays an index scan whatever the
   * statistics say), and a row is taken when it is due, unleased, not behind a leased or retrying
   * row of its aggregate (a window over the rows read, no index probes), and within its tenant's
   * remaining quota. Everything due fits in the batch, so this is fair by construction, and cheap:
   * this is the path that keeps latency low under a steady trickle.
   *
   * <p><b>Backlog</b>: tenants with pending rows are enumerated with a skip scan (starting after
   * {@code $3}, until {@code $2} of the bucket's were found) and each of the bucket's gets an equal
   * share of the batch, capped by its remaining quota ({@code $5}/{@code $6}, else {@code $9};
   * {@code $4} lists tenants with none left). Within a tenant only its oldest due, unleased rows
   * are looked at (a window of two shares, so rows blocked behind a busy aggregate rarely use up a
   * tenant's turn), and a row is taken only if no earlier pending row of its aggregate is leased or
   * waiting for a retry; the tenant's walk stops at its share. When the rounded-up shares exceed
   * the batch, each tenant's oldest rows go first. The skip scan orders by {@code (tenant_id, id)},
   * the key of the partial pending index, so PostgreSQL walks pending rows only (ordered by {@code
   * tenant_id} alone it may pick the unique index and read every published row awaiting retention).
   *
   * <p>The {@code RETURNING} list is read by position ({@link ClaimedEvent#from}).
   */
  static final String CLAIM =
      """
      WITH RECURSIVE small AS (
          SELECT count(*) <= $1 AS yes
            FROM (SELECT 1 FROM outbox_messages WHERE status = 'pending'
                   ORDER BY tenant_id, id LIMIT $1 + 1) s
      ),
      quota AS (
          SELECT * FROM unnest($5::text[], $6::int[]) AS q (tenant_id, remaining)
      ),
      few AS (
          SELECT f.id, f.tenant_id, row_number() OVER (PARTITION BY f.tenant_id ORDER BY f.id) AS rank
            FROM (SELECT o.id, o.tenant_id, o.free,
                         o.partition_key IS NOT NULL AND coalesce(bool_or(NOT o.free) OVER (
                             PARTITION BY o.tenant_id, o.partition_key ORDER BY o.id
                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false) AS blocked
                    FROM (SELECT id, tenant_id, partition_key,
                                 next_attempt_at <= now()
                                   AND (lease_expires_at IS NULL OR lease_expires_at < now()) AS free
                            FROM outbox_messages
                           WHERE (SELECT yes FROM small) AND status = 'pending'
                             AND ($10 < 0 OR (hashtext(tenant_id) & $11) = $10)
                             AND tenant_id <> ALL($4::text[])
                           ORDER BY tenant_id, id LIMIT $1) o) f
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
      candidates AS (
          SELECT w.id, row_number() OVER (PARTITION BY a.tenant_id ORDER BY w.id) AS rank
            FROM active a
           CROSS JOIN LATERAL (
                 SELECT c.id
                   FROM (SELECT o.id, o.tenant_id, o.partition_key
                           FROM outbox_messages o
                          WHERE o.tenant_id = a.tenant_id AND o.status = 'pending'
                            AND o.next_attempt_at <= now()
                            AND (o.lease_expires_at IS NULL OR o.lease_expires_at < now())
                          ORDER BY o.id
                          LIMIT a.share * 2) c
                  WHERE c.partition_key IS NULL OR NOT EXISTS (
                          SELECT 1 FROM outbox_messages p
                           WHERE p.tenant_id = c.tenant_id AND p.partition_key = c.partition_key
                             AND p.status = 'pending' AND p.id < c.id
                             AND (p.next_attempt_at > now() OR p.lease_expires_at >= now()))
                  ORDER BY c.id
                  LIMIT a.share) w
        UNION ALL
          SELECT few.id, few.rank
            FROM few LEFT JOIN quota q ON q.tenant_id = few.tenant_id
           WHERE few.rank <= coalesce(q.remaining, $9)
      ),
      picked AS (
          SELECT o.id FROM outbox_messages o
            JOIN candidates c ON c.id = o.id
           ORDER BY c.rank, o.id
           LIMIT $1
             FOR UPDATE OF o SKIP LOCKED
      )
      UPDATE outbox_messages m
         SET lease_owner = $7, lease_expires_at = now() + make_interval(secs => $8)
        FROM picked
       WHERE m.id = picked.id
      RETURNING m.id, m.tenant_id, m.dedupe_key, m.topic, m.partition_key, m.payload::text AS payload,
                m.headers, m.attempts, m.max_attempts, m.created_at\
      """;

  static final String MARK_PUBLISHED =
      """
      UPDATE outbox_messages
         SET status = 'published', published_at = now(), attempts = attempts + 1,
             lease_owner = NULL, lease_expires_at = NULL, last_error = NULL
       WHERE id = ANY($1::bigint[]) AND lease_owner = $2\
      """;

  /** Puts failed rows back with their next attempt time; {@code counted} adds to attempts. */
  static final String RESCHEDULE =
      """
      UPDATE outbox_messages o
         SET attempts = o.attempts + f.counted, next_attempt_at = now() + make_interval(secs => f.delay),
             last_error = f.error, lease_owner = NULL, lease_expires_at = NULL
        FROM unnest($1::bigint[], $2::int[], $3::float8[], $4::text[]) AS f (id, counted, delay, error)
       WHERE o.id = f.id AND o.lease_owner = $5\
      """;

  /** Moves rows to the dead letters; the outbox row stays ('dead') so its dedupe key holds. */
  static final String BURY =
      """
      WITH failed AS (
          SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[]) AS f (id, error, error_class)
      ),
      dead AS (
          UPDATE outbox_messages o
             SET status = 'dead', attempts = o.attempts + 1, last_error = failed.error,
                 lease_owner = NULL, lease_expires_at = NULL
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
      RETURNING id\
      """;

  private final Pool pool;

  public OutboxRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * A claim request: who claims, how much, which tenant bucket ({@code 0 <= bucket <
   * CLAIM_BUCKETS}, or {@link #ALL_BUCKETS}), and where the bucket's tenant rotation continues.
   */
  public record Claim(
      String owner,
      int batchSize,
      Duration lease,
      int bucket,
      String tenantCursor,
      Map<String, Integer> quota,
      int defaultQuota) {

    public Claim {
      if (bucket != ALL_BUCKETS && (bucket < 0 || bucket >= CLAIM_BUCKETS)) {
        throw new IllegalArgumentException(
            "bucket must be " + ALL_BUCKETS + " or 0.." + (CLAIM_BUCKETS - 1) + ", was " + bucket);
      }
    }

    /** A claim over every tenant, as one relay with no rotation would make it. */
    public static Claim ofAll(String owner, int batchSize, Duration lease) {
      return new Claim(owner, batchSize, lease, ALL_BUCKETS, "", Map.of(), Integer.MAX_VALUE);
    }
  }

  /** Leases up to {@code batchSize} rows for {@code owner}; see {@link #CLAIM}. */
  public Future<List<ClaimedEvent>> claim(Claim claim) {
    List<String> exhausted = new ArrayList<>();
    List<String> tenants = new ArrayList<>();
    List<Integer> remaining = new ArrayList<>();
    claim
        .quota()
        .forEach(
            (tenant, left) -> {
              if (left <= 0) {
                exhausted.add(tenant);
              } else {
                tenants.add(tenant);
                remaining.add(left);
              }
            });
    Tuple params =
        Tuple.of(
            claim.batchSize(),
            claim.batchSize(),
            claim.tenantCursor(),
            exhausted.toArray(String[]::new),
            tenants.toArray(String[]::new),
            remaining.toArray(Integer[]::new),
            claim.owner(),
            (double) claim.lease().toMillis() / 1000.0,
            claim.defaultQuota(),
            claim.bucket(),
            CLAIM_BUCKETS - 1);
    return pool.withConnection(
        conn -> {
          // One round trip: the commands are pipelined. A failed statement aborts the
          // transaction, and COMMIT then rolls it back.
          Future<?> begin = conn.query(BEGIN_CLAIM).execute();
          Future<?> locked =
              conn.preparedQuery(LOCK_CLAIMS)
                  .execute(Tuple.of(CLAIM_LOCK_CLASS, CLAIM_BUCKETS, claim.bucket()));
          Future<RowSet<Row>> claimed = conn.preparedQuery(CLAIM).execute(params);
          Future<?> committed = conn.query("COMMIT").execute();
          return Future.join(begin, locked, claimed, committed)
              .map(all -> toEvents(claimed.result()));
        });
  }

  private static List<ClaimedEvent> toEvents(RowSet<Row> rows) {
    List<ClaimedEvent> events = new ArrayList<>(rows.size());
    for (Row row : rows) {
      events.add(ClaimedEvent.from(row));
    }
    events.sort((a, b) -> Long.compare(a.id(), b.id()));
    return events;
  }

  /** What became of one claimed batch; applied in one transaction. */
  public record Settlement(List<Long> published, List<Retry> retries, List<Burial> burials) {}

  /** A row to try again after {@code delay}; {@code counted} says whether this was an attempt. */
  public record Retry(long id, boolean counted, Duration delay, String error) {}

  /** A row that goes to the dead letters. */
  public record Burial(long id, String error, String errorClass) {}

  /**
   * Applies {@code settlement} for rows still leased by {@code owner} (rows whose lease was lost
   * are left to their new owner). Completes with the ids of the new dead-letter rows.
   */
  public Future<List<Long>> settle(String owner, Settlement settlement) {
    if (settlement.retries().isEmpty() && settlement.burials().isEmpty()) {
      return markPublished(pool, owner, settlement.published()).map(List.of());
    }
    return pool.withTransaction(
        tx ->
            markPublished(tx, owner, settlement.published())
                .compose(
                    v ->
                        settlement.retries().isEmpty()
                            ? Future.succeededFuture()
                            : tx.preparedQuery(RESCHEDULE)
                                .execute(rescheduleParams(owner, settlement.retries())))
                .compose(v -> bury(tx, owner, settlement.burials())));
  }

  private static Future<?> markPublished(SqlClient client, String owner, List<Long> ids) {
    return ids.isEmpty()
        ? Future.succeededFuture()
        : client.preparedQuery(MARK_PUBLISHED).execute(Tuple.of(ids.toArray(Long[]::new), owner));
  }

  private static Future<List<Long>> bury(SqlClient tx, String owner, List<Burial> burials) {
    if (burials.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Tuple params =
        Tuple.of(
            burials.stream().map(Burial::id).toArray(Long[]::new),
            burials.stream().map(Burial::error).toArray(String[]::new),
            burials.stream().map(Burial::errorClass).toArray(String[]::new),
            owner);
    return tx.preparedQuery(BURY)
        .execute(params)
        .map(
            rows -> {
              List<Long> ids = new ArrayList<>();
              rows.forEach(row -> ids.add(row.getLong(0)));
              return ids;
            });
  }

  private static Tuple rescheduleParams(String owner, List<Retry> retries) {
    return Tuple.of(
        retries.stream().map(Retry::id).toArray(Long[]::new),
        retries.stream().map(r -> r.counted() ? 1 : 0).toArray(Integer[]::new),
        retries.stream().map(r -> r.delay().toMillis() / 1000.0).toArray(Double[]::new),
        retries.stream().map(Retry::error).toArray(String[]::new),
        owner);
  }
}
