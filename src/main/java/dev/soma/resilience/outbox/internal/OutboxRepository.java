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

  private final Pool pool;

  public OutboxRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * What a claim leased (in id order), the tenant cursor for the bucket's next claim: where its
   * tenant rotation continues ({@code ""}: from the first tenant), and how many rows of each mark
   * it carried it marked published (see {@link #claim(Claim, List)}).
   */
  public record Claimed(List<ClaimedEvent> events, String nextTenantCursor, List<Integer> marked) {}

  /** The pool its statements run on, for the relay's other parts. */
  Pool pool() {
    return pool;
  }

  /**
   * Leases up to {@code claim}'s batch of rows for its owner; see {@link ClaimSql#CLAIM}. The lease
   * counts from the moment the rows are leased, after any wait for the bucket's lock.
   */
  public Future<Claimed> claim(Claim claim) {
    return claim(claim, List.of());
  }

  /**
   * Claims as {@link #claim(Claim)} does, after marking each of {@code marks} (the ids of rows the
   * broker acknowledged, one list a batch) published for the claim's owner, as {@link #settle}
   * would, in the claim's own transaction: the claim sees them published, and a failed claim marks
   * none.
   *
   * <p>No deadlock: every transaction of the relays takes its bucket locks before any row lock, the
   * claim itself never waits for a row ({@code SKIP LOCKED}), and a mark waits only for a row it
   * sees leased by its own owner, that is for a transaction that took it over (then the mark leaves
   * it: lease lost) or an operator's. That wait would hold the claim's bucket locks, so the marks
   * wait at most {@link ClaimSql#MARKS_LOCK_TIMEOUT}; then the claim fails, and its batches are
   * settled alone.
   */
  Future<Claimed> claim(Claim claim, List<List<Long>> marks) {
    Tuple params = claimParams(claim);
    return pool.withConnection(
        conn -> {
          // One round trip: the commands are pipelined. A failed statement aborts the
          // transaction, and COMMIT then rolls it back.
          List<Future<?>> all = new ArrayList<>();
          all.add(conn.query(ClaimSql.BEGIN_CLAIM).execute());
          all.add(
              conn.preparedQuery(ClaimSql.LOCK_CLAIMS)
                  .execute(Tuple.of(ClaimSql.CLAIM_LOCK_CLASS, CLAIM_BUCKETS, claim.bucket())));
          if (!marks.isEmpty()) {
            all.add(conn.query(ClaimSql.MARKS_LOCK_TIMEOUT).execute());
          }
          List<Future<Integer>> marked = new ArrayList<>(marks.size());
          for (List<Long> ids : marks) {
            Future<Integer> mark = markPublished(conn, claim.owner(), ids);
            marked.add(mark);
            all.add(mark);
          }
          Future<RowSet<Row>> claimed = conn.preparedQuery(ClaimSql.CLAIM).execute(params);
          all.add(claimed);
          all.add(conn.query("COMMIT").execute());
          return Future.join(all)
              .map(
                  done ->
                      toClaimed(claimed.result(), marked.stream().map(Future::result).toList()));
        });
  }

  private static Tuple claimParams(Claim claim) {
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
    return Tuple.of(
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
  }

  private static Claimed toClaimed(RowSet<Row> rows, List<Integer> marked) {
    List<ClaimedEvent> events = new ArrayList<>(rows.size());
    String cursor = null;
    for (Row row : rows) {
      if (row.getValue(0) != null) {
        events.add(ClaimedEvent.from(row));
      }
      cursor = row.getString(ClaimedEvent.COLUMNS);
    }
    events.sort((a, b) -> Long.compare(a.id(), b.id()));
    return new Claimed(events, cursor == null ? "" : cursor, marked);
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
            .preparedQuery(SettleSql.MARK_PUBLISHED)
            .execute(Tuple.of(ids.toArray(Long[]::new), owner))
            .map(RowSet::rowCount);
  }

  private static Future<Integer> reschedule(SqlClient tx, String owner, List<Retry> retries) {
    return retries.isEmpty()
        ? Future.succeededFuture(0)
        : tx.preparedQuery(SettleSql.RESCHEDULE)
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
    return tx.preparedQuery(SettleSql.BURY)
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
