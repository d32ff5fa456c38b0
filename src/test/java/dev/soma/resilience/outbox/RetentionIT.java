package dev.soma.resilience.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.outbox.internal.DeadLetterPublisher;
import dev.soma.resilience.outbox.internal.OutboxHousekeeping;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Outbox housekeeping against a real database: retention of published rows and the pending gauge.
 */
@ExtendWith(TestServices.class)
class RetentionIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final String kafka = TestServices.kafkaBootstrap();
  private OutboxFixture fx;

  @BeforeEach
  void setUp() throws Exception {
    fx = new OutboxFixture();
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
  }

  @Test
  void publishedRowsOlderThanTheRetentionAreDeletedAndEveryOtherRowStays() throws Exception {
    OutboxHousekeeping housekeeping = housekeeping(Map.of("SA01_OUTBOX_RETENTION_HOURS", "1"));
    enqueue("t1", "old-published", "recent-published", "old-pending", "old-dead", "replayed");
    age("old-published", "published", "2 hours");
    age("recent-published", "published", "50 minutes");
    age("old-pending", "pending", null);
    age("old-dead", "dead", null);
    // a replayed dead letter is pending again, whatever its history
    age("replayed", "pending", null);

    long deleted = Blocking.await(housekeeping.deleteExpired(), TIMEOUT);

    assertThat(deleted).isEqualTo(1);
    assertThat(fx.query("SELECT dedupe_key FROM outbox_messages ORDER BY dedupe_key"))
        .extracting(row -> row.getString(0))
        .containsExactly("old-dead", "old-pending", "recent-published", "replayed");
  }

  @Test
  void aLargeBacklogOfExpiredRowsIsDeletedCompletelyInOneCall() throws Exception {
    OutboxHousekeeping housekeeping = housekeeping(Map.of("SA01_OUTBOX_RETENTION_HOURS", "1"));
    int expired = 5_000 * 2 + 7;
    fx.query(
        "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, payload, status,"
            + " published_at) SELECT 't1', 'k-' || n, 'topic', '{}', 'published',"
            + " now() - interval '3 hours' FROM generate_series(1, $1) AS n",
        expired);
    enqueue("t1", "still-pending");

    long deleted = Blocking.await(housekeeping.deleteExpired(), TIMEOUT);

    assertThat(deleted).isEqualTo(expired);
    assertThat(fx.count("SELECT count(*) FROM outbox_messages")).isEqualTo(1);
  }

  @Test
  void theDeployedHousekeepingDeletesExpiredRowsOnItsOwn() throws Exception {
    ServiceConfig config =
        OutboxFixture.config(
            Map.of(
                "SA01_OUTBOX_RETENTION_HOURS", "1", "SA01_OUTBOX_CLEANUP_INTERVAL_SECONDS", "1"));
    enqueue("t1", "old-published", "recent-published");
    age("old-published", "published", "2 hours");
    age("recent-published", "published", "1 minute");

    Blocking.await(fx.vertx.deployVerticle(housekeeping(config)), TIMEOUT);

    await().atMost(TIMEOUT).until(() -> fx.count("SELECT count(*) FROM outbox_messages") == 1);
    assertThat(fx.query("SELECT dedupe_key FROM outbox_messages").get(0).getString(0))
        .isEqualTo("recent-published");
  }

  @Test
  void aRowAReplayIsSchedulingIsNotDeletedWhateverItsAge() throws Exception {
    OutboxHousekeeping housekeeping = housekeeping(Map.of("SA01_OUTBOX_RETENTION_HOURS", "1"));
    enqueue("t1", "being-replayed", "expired");
    age("being-replayed", "published", "2 hours");
    age("expired", "published", "2 hours");
    long id = fx.count("SELECT id FROM outbox_messages WHERE dedupe_key = 'being-replayed'");
    // a replay's chunk in progress: it holds the retention off and has scheduled the row
    SqlConnection replay = Blocking.await(fx.pool.getConnection(), TIMEOUT);
    Transaction chunk = Blocking.await(replay.begin(), TIMEOUT);
    Blocking.await(replay.query(OutboxHousekeeping.HOLD_OFF_RETENTION).execute(), TIMEOUT);
    Blocking.await(
        replay
            .preparedQuery(
                "INSERT INTO outbox_replay_schedule (outbox_id, due_at) VALUES ($1, now())")
            .execute(Tuple.of(id)),
        TIMEOUT);

    Future<Long> deleting = housekeeping.deleteExpired();

    // the delete waits for the chunk instead of deleting from a snapshot without its schedule
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> !deleting.isComplete());
    Blocking.await(chunk.commit(), TIMEOUT);
    Blocking.await(replay.close(), TIMEOUT);
    assertThat(Blocking.await(deleting, TIMEOUT)).isEqualTo(1);
    assertThat(fx.query("SELECT dedupe_key FROM outbox_messages"))
        .extracting(row -> row.getString(0))
        .containsExactly("being-replayed");
  }

  @Test
  void refreshPendingSetsTheGaugeOfEachTenantWithPendingRows() throws Exception {
    OutboxHousekeeping housekeeping = housekeeping(Map.of());
    enqueue("tenant-a", "a1", "a2", "a3");
    enqueue("tenant-b", "b1");
    enqueue("tenant-c", "c1");
    age("c1", "published", "1 minute");

    Blocking.await(housekeeping.refreshPending(), TIMEOUT);

    assertThat(pendingGauge("tenant-a")).isEqualTo(3.0);
    assertThat(pendingGauge("tenant-b")).isEqualTo(1.0);
    assertThat(fx.meters.find("outbox.messages.pending").tag("tenant", "tenant-c").gauge())
        .isNull();
  }

  @Test
  void refreshPendingSetsTheOldestPendingAgeOfEachTenantAndTheOldestOfAll() throws Exception {
    OutboxHousekeeping housekeeping = housekeeping(Map.of());
    enqueue("tenant-a", "a-old", "a-young");
    enqueue("tenant-b", "b1");
    enqueue("tenant-c", "c-published");
    fx.query(
        "UPDATE outbox_messages SET created_at = now() - interval '2 hours' WHERE dedupe_key = $1",
        "a-old");
    fx.query(
        "UPDATE outbox_messages SET created_at = now() - interval '10 minutes' WHERE dedupe_key = $1",
        "b1");
    age("c-published", "published", "1 minute");

    Blocking.await(housekeeping.refreshPending(), TIMEOUT);

    assertThat(oldestGauge("tenant-a")).isBetween(7200.0, 7260.0);
    assertThat(oldestGauge("tenant-b")).isBetween(600.0, 660.0);
    assertThat(oldestGauge("_all")).isEqualTo(oldestGauge("tenant-a"));
    assertThat(fx.meters.find("outbox.oldest.pending.age").tag("tenant", "tenant-c").gauge())
        .isNull();
  }

  @Test
  void aTenantWhoseRowsWereAllPublishedLeavesThePendingGauge() throws Exception {
    OutboxHousekeeping housekeeping = housekeeping(Map.of());
    enqueue("tenant-a", "a1", "a2");
    enqueue("tenant-b", "b1");
    Blocking.await(housekeeping.refreshPending(), TIMEOUT);

    age("a1", "published", "1 second");
    age("a2", "published", "1 second");
    Blocking.await(housekeeping.refreshPending(), TIMEOUT);

    assertThat(fx.meters.find("outbox.messages.pending").tag("tenant", "tenant-a").gauge())
        .isNull();
    assertThat(pendingGauge("tenant-b")).isEqualTo(1.0);
  }

  private OutboxHousekeeping housekeeping(Map<String, String> overrides) {
    return housekeeping(OutboxFixture.config(overrides));
  }

  private OutboxHousekeeping housekeeping(ServiceConfig config) {
    DeadLetterPublisher deadLetters = new DeadLetterPublisher(fx.pool, fx.producer(config, kafka));
    return new OutboxHousekeeping(fx.pool, config.outbox(), fx.metrics, deadLetters);
  }

  private void enqueue(String tenant, String... dedupeKeys) throws Exception {
    List<OutboxEntry> entries =
        java.util.Arrays.stream(dedupeKeys)
            .map(key -> OutboxEntry.of(tenant, key, "orders", null, new JsonObject()))
            .toList();
    fx.enqueue(entries);
  }

  /**
   * Puts the row in {@code status}, created three days ago, and (when {@code publishedAgo} is
   * given) published that long ago.
   */
  private void age(String dedupeKey, String status, String publishedAgo) throws Exception {
    fx.query(
        "UPDATE outbox_messages SET status = $2, created_at = now() - interval '3 days',"
            + " published_at = now() - $3::text::interval WHERE dedupe_key = $1",
        dedupeKey,
        status,
        publishedAgo);
  }

  private double oldestGauge(String tenant) {
    Gauge gauge = fx.meters.find("outbox.oldest.pending.age").tag("tenant", tenant).gauge();
    assertThat(gauge).as("oldest pending age of " + tenant).isNotNull();
    return gauge.value();
  }

  private double pendingGauge(String tenant) {
    Gauge gauge = fx.meters.find("outbox.messages.pending").tag("tenant", tenant).gauge();
    assertThat(gauge).as("pending gauge of " + tenant).isNotNull();
    return gauge.value();
  }
}
