package dev.soma.resilience.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.testing.OutboxFixture;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The claim's two paths (small backlog, and fair shares over a backlog) against the one rule they
 * both implement: a row may be claimed when it is pending, due, not leased, and no earlier pending
 * row of its aggregate is leased or waiting for a retry. Random outbox states, real PostgreSQL.
 */
class ClaimRulesIT {

  private static final int CASES = 120;
  private static OutboxFixture fx;
  private static OutboxRepository repository;

  /** One row of a generated state, and what the rule says about it. */
  private record Seeded(
      long id, String tenant, String key, String status, boolean due, String lease) {

    boolean pending() {
      return status.equals("pending");
    }

    /** Free to send now: due, and not under a live lease. */
    boolean free() {
      return due && !lease.equals("live");
    }
  }

  @BeforeAll
  static void setUp() throws Exception {
    fx = new OutboxFixture();
    repository = new OutboxRepository(fx.pool);
  }

  @AfterAll
  static void tearDown() throws Exception {
    fx.close();
  }

  @Test
  void aSmallBacklogIsClaimedExactlyAsTheRuleSays() throws Exception {
    Random random = new Random(20261130);
    for (int c = 0; c < CASES; c++) {
      List<Seeded> rows = seed(random);
      Set<Long> claimed = ids(claim(500, OutboxRepository.ALL_BUCKETS));
      assertThat(claimed).as("case %d: %s", c, rows).isEqualTo(eligible(rows));
    }
  }

  @Test
  void theBucketsTogetherClaimWhatOneClaimOverAllTenantsWould() throws Exception {
    Random random = new Random(7);
    for (int c = 0; c < CASES / 2; c++) {
      List<Seeded> rows = seed(random);
      List<Long> all = new ArrayList<>();
      for (int bucket = 0; bucket < OutboxRepository.CLAIM_BUCKETS; bucket++) {
        all.addAll(ids(claim(500, bucket)));
      }
      assertThat(all).as("case %d: no row in two buckets", c).doesNotHaveDuplicates();
      assertThat(new HashSet<>(all)).as("case %d: %s", c, rows).isEqualTo(eligible(rows));
    }
  }

  @Test
  void aBacklogLargerThanTheBatchIsClaimedOnlyWithinTheRule() throws Exception {
    Random random = new Random(42);
    int checked = 0;
    for (int c = 0; c < CASES; c++) {
      List<Seeded> rows = seed(random);
      long pending = rows.stream().filter(Seeded::pending).count();
      if (pending < 2) {
        continue;
      }
      int batch = (int) pending - 1;
      Set<Long> claimed = ids(claim(batch, OutboxRepository.ALL_BUCKETS));
      assertThat(claimed).as("case %d: %s", c, rows).isSubsetOf(eligible(rows));
      assertThat(claimed.size()).isLessThanOrEqualTo(batch);
      checked++;
    }
    assertThat(checked).isGreaterThan(CASES / 2);
  }

  @Test
  void anAggregateWaitingForARetryLeavesTheRestOfItsTenantFlowing() throws Exception {
    fx.query("TRUNCATE outbox_messages");
    // one tenant: aggregate "a" with 20 events, then aggregate "b" with 4
    fx.query(
        "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, partition_key, payload)"
            + " SELECT 't', 'a' || n, 'rules', 'a', '{}' FROM generate_series(1, 20) AS n");
    fx.query(
        "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, partition_key, payload)"
            + " SELECT 't', 'b' || n, 'rules', 'b', '{}' FROM generate_series(1, 4) AS n");
    List<ClaimedEvent> first = claim(4, OutboxRepository.ALL_BUCKETS);
    assertThat(first).extracting(ClaimedEvent::dedupeKey).containsExactly("a1", "a2", "a3", "a4");

    // a1 failed and waits a minute; a2..a4 were held back behind it
    List<OutboxRepository.Retry> retries = new ArrayList<>();
    retries.add(new OutboxRepository.Retry(first.get(0).id(), true, Duration.ofMinutes(1), "x"));
    for (ClaimedEvent held : first.subList(1, 4)) {
      retries.add(new OutboxRepository.Retry(held.id(), false, Duration.ZERO, "held"));
    }
    OutboxRepository.Settled settled =
        Blocking.await(
            repository.settle("r", new OutboxRepository.Settlement(List.of(), retries, List.of())),
            Duration.ofSeconds(30));
    assertThat(settled.leaseLost()).as("rows it held are all its own").isZero();

    // the tenant's window (two shares: its 8 oldest due rows) must not be all of a's queue
    assertThat(claim(4, OutboxRepository.ALL_BUCKETS))
        .extracting(ClaimedEvent::dedupeKey)
        .containsExactly("b1", "b2", "b3", "b4");
    assertThat(
            fx.count(
                "SELECT count(*) FROM outbox_messages WHERE partition_key = 'a'"
                    + " AND next_attempt_at > now() + interval '50 seconds'"))
        .as("a1 and its 19 successors wait for a1's retry")
        .isEqualTo(20);
  }

  @Test
  void rowsBlockedBehindAnotherRelaysAggregateDoNotUseUpTheirTenantsTurn() throws Exception {
    fx.query("TRUNCATE outbox_messages");
    // aggregate "a": its head leased by another relay (alive, or stalled), then 3,000 rows due
    // behind it, far more than the tenant's window; then aggregate "b"'s 4 rows
    fx.query(
        "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, partition_key, payload,"
            + " lease_owner, lease_expires_at)"
            + " VALUES ('t', 'a0', 'rules', 'a', '{}', 'other', now() + interval '1 minute')");
    fx.query(
        "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, partition_key, payload)"
            + " SELECT 't', 'a' || n, 'rules', 'a', '{}' FROM generate_series(1, 3000) AS n");
    fx.query(
        "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, partition_key, payload)"
            + " SELECT 't', 'b' || n, 'rules', 'b', '{}' FROM generate_series(1, 4) AS n");

    assertThat(claim(10, OutboxRepository.ALL_BUCKETS))
        .extracting(ClaimedEvent::dedupeKey)
        .containsExactly("b1", "b2", "b3", "b4");
    assertThat(claim(10, OutboxRepository.ALL_BUCKETS)).as("a waits for a0").isEmpty();
  }

  @Test
  void theClaimIsPreparedOnceAndRunsOnItsGenericPlan() throws Exception {
    // planning the claim costs more than running it: it must be a cached prepared statement
    // (the client skips long statements unless told otherwise) on one generic plan
    Pool single = fx.database.pool(fx.vertx, 1);
    try {
      OutboxRepository oneConnection = new OutboxRepository(single);
      seed(new Random(3));
      for (int i = 0; i < 3; i++) {
        Blocking.await(
            oneConnection.claim(
                new Claim("plan", 10, Duration.ofSeconds(60), i % 2 - 1, "", Map.of(), 1_000_000)),
            Duration.ofSeconds(30));
      }

      Row plans =
          Blocking.await(
              single
                  .preparedQuery(
                      "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                          + " WHERE statement = $1")
                  .execute(Tuple.of(ClaimSql.CLAIM))
                  .map(rows -> rows.size() == 1 ? rows.iterator().next() : null),
              Duration.ofSeconds(10));
      assertThat(plans).as("the claim is one prepared statement of the connection").isNotNull();
      assertThat(plans.getLong("generic_plans")).isEqualTo(3);
      assertThat(plans.getLong("custom_plans")).isZero();
    } finally {
      Blocking.await(single.close(), Duration.ofSeconds(10));
    }
  }

  private static List<ClaimedEvent> claim(int batch, int bucket) throws Exception {
    return Blocking.await(
        repository
            .claim(new Claim("r", batch, Duration.ofSeconds(60), bucket, "", Map.of(), 1_000_000))
            .map(OutboxRepository.Claimed::events),
        Duration.ofSeconds(30));
  }

  private static Set<Long> ids(List<ClaimedEvent> events) {
    return events.stream().map(ClaimedEvent::id).collect(Collectors.toSet());
  }

  /** What the rule allows in {@code rows} (in id order). */
  private static Set<Long> eligible(List<Seeded> rows) {
    Set<Long> eligible = new HashSet<>();
    for (Seeded row : rows) {
      boolean blocked =
          row.key() != null
              && rows.stream()
                  .anyMatch(
                      p ->
                          p.id() < row.id()
                              && p.pending()
                              && p.tenant().equals(row.tenant())
                              && row.key().equals(p.key())
                              && !p.free());
      if (row.pending() && row.free() && !blocked) {
        eligible.add(row.id());
      }
    }
    return eligible;
  }

  /** Replaces the outbox with a random state of up to 60 rows over a few tenants and keys. */
  private static List<Seeded> seed(Random random) throws Exception {
    fx.query("TRUNCATE outbox_messages");
    int tenants = 1 + random.nextInt(6);
    int count = 1 + random.nextInt(60);
    List<Seeded> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String tenant = "t" + random.nextInt(tenants);
      String key = random.nextInt(5) == 0 ? null : "k" + random.nextInt(4);
      int s = random.nextInt(10);
      String status = s < 7 ? "pending" : s < 9 ? "published" : "dead";
      boolean due = !status.equals("pending") || random.nextInt(5) > 0;
      int l = random.nextInt(6);
      String lease = !status.equals("pending") || l < 3 ? "none" : l < 5 ? "live" : "expired";
      long id =
          fx.query(
                  """
                  INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, partition_key, payload,
                                               status, next_attempt_at, lease_owner, lease_expires_at)
                  VALUES ($1, $2, 'rules', $3, '{}', $4,
                          now() + CASE WHEN $5 THEN interval '-1 second' ELSE interval '1 hour' END,
                          CASE WHEN $6 = 'none' THEN NULL ELSE 'other' END,
                          CASE $6 WHEN 'live' THEN now() + interval '1 hour'
                                  WHEN 'expired' THEN now() - interval '1 second' END)
                  RETURNING id""",
                  tenant,
                  "d" + i,
                  key,
                  status,
                  due,
                  lease)
              .get(0)
              .getLong(0);
      rows.add(new Seeded(id, tenant, key, status, due, lease));
    }
    return rows;
  }
}
