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
   * relay must use the same value (and the same hash): it is part of the ordering protocol. A power
   * of two ({@link ClaimSql#CLAIM} masks the hash with it).
   */
  public static final int CLAIM_BUCKETS = 4;

  /** A claim on every bucket at once (the one-shot drain and tools). */
  public static final int ALL_BUCKETS = -1;

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

  private final Pool pool;

  public OutboxRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * What a claim leased (in id order), and the tenant cursor for the bucket's next claim: where its
   * tenant rotation continues ({@code ""}: from the first tenant).
   */
  public record Claimed(List<ClaimedEvent> events, String nextTenantCursor) {}

  /** The pool its statements run on, for the relay's other parts. */
  Pool pool() {
    return pool;
  }

  /**
   * Leases up to {@code claim}'s batch of rows for its owner; see {@link ClaimSql#CLAIM}. The lease
   * counts from the moment the rows are leased, after any wait for the bucket's lock.
   */
  public Future<Claimed> claim(Claim claim) {
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
            CLAIM_BUCKETS - 1,
            claim.holder());
    return pool.withConnection(
        conn -> {
          // One round trip: the commands are pipelined. A failed statement aborts the
          // transaction, and COMMIT then rolls it back.
          Future<?> begin = conn.query(ClaimSql.BEGIN_CLAIM).execute();
          Future<?> locked =
              conn.preparedQuery(ClaimSql.LOCK_CLAIMS)
                  .execute(Tuple.of(ClaimSql.CLAIM_LOCK_CLASS, CLAIM_BUCKETS, claim.bucket()));
          Future<RowSet<Row>> claimed = conn.preparedQuery(ClaimSql.CLAIM).execute(params);
          Future<?> committed = conn.query("COMMIT").execute();
          return Future.join(begin, locked, claimed, committed)
              .map(all -> toClaimed(claimed.result()));
        });
  }

  private static Claimed toClaimed(RowSet<Row> rows) {
    List<ClaimedEvent> events = new ArrayList<>(rows.size());
    String cursor = null;
    for (Row row : rows) {
      if (row.getValue(0) != null) {
        events.add(ClaimedEvent.from(row));
      }
      cursor = row.getString(ClaimedEvent.COLUMNS);
    }
    events.sort((a, b) -> Long.compare(a.id(), b.id()));
    return new Claimed(events, cursor == null ? "" : cursor);
  }

  /** What became of one claimed batch; applied in one transaction. */
  public record Settlement(List<Long> published, List<Retry> retries, List<Burial> burials) {}

  /** A row to try again after {@code delay}; {@code counted} says whether this was an attempt. */
  public record Retry(long id, boolean counted, Duration delay, String error) {}

  /** A row that goes to the dead letters. */
  public record Burial(long id, String error, String errorClass) {}

  /**
   * What {@link #settle} did: the topic of each new dead letter, and how many rows of the
   * settlement it left alone because {@code owner} no longer held their lease (another relay took
   * them over after the lease ran out, or they were settled already).
   */
  public record Settled(List<String> deadLetterTopics, int leaseLost) {}

  /**
   * Applies {@code settlement} for rows still leased by {@code owner} (rows whose lease was lost
   * are left to their new owner, and counted in {@link Settled#leaseLost}).
   */
  public Future<Settled> settle(String owner, Settlement settlement) {
    int rows =
        settlement.published().size() + settlement.retries().size() + settlement.burials().size();
    if (settlement.retries().isEmpty() && settlement.burials().isEmpty()) {
      return markPublished(pool, owner, settlement.published())
          .map(marked -> new Settled(List.of(), rows - marked));
    }
    return pool.withTransaction(
        tx ->
            markPublished(tx, owner, settlement.published())
                .compose(
                    marked ->
                        reschedule(tx, owner, settlement.retries())
                            .map(retried -> marked + retried))
                .compose(
                    settled ->
                        bury(tx, owner, settlement.burials())
                            .map(topics -> new Settled(topics, rows - settled - topics.size()))));
  }

  private static Future<Integer> markPublished(SqlClient client, String owner, List<Long> ids) {
    return ids.isEmpty()
        ? Future.succeededFuture(0)
        : client
            .preparedQuery(MARK_PUBLISHED)
            .execute(Tuple.of(ids.toArray(Long[]::new), owner))
            .map(RowSet::rowCount);
  }

  private static Future<Integer> reschedule(SqlClient tx, String owner, List<Retry> retries) {
    return retries.isEmpty()
        ? Future.succeededFuture(0)
        : tx.preparedQuery(RESCHEDULE)
            .execute(rescheduleParams(owner, retries))
            .map(rows -> rows.iterator().next().getLong(0).intValue());
  }

  private static Future<List<String>> bury(SqlClient tx, String owner, List<Burial> burials) {
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
              List<String> topics = new ArrayList<>();
              rows.forEach(row -> topics.add(row.getString(0)));
              return topics;
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
