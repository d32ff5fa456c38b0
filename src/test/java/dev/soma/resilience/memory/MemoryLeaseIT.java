package dev.soma.resilience.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.breaker.BreakerPanel;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.db.LeaseKeeper;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.flags.FlagBook;
import dev.soma.resilience.memory.PendingMemories.Claimed;
import dev.soma.resilience.testing.HeldAdvisoryLock;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.SomaBrainDouble;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The memory sync's leases end with its process (its lease keeper's session), whatever {@code
 * memory.leaseSeconds} is; a sync that is alive but stalled keeps them until they expire, and once
 * another took them over it can neither mark, reschedule, release nor bury them.
 */
@ExtendWith(TestServices.class)
class MemoryLeaseIT {

  private static final String TENANT = "tenant-lease";
  private static final String TOKEN = "brain-token";
  private static final Duration LONG_LEASE = Duration.ofSeconds(300);
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final Vertx doubles = Vertx.vertx();
  private OutboxFixture fx;
  private SomaBrainDouble brain;
  private PendingMemories queue;

  @BeforeEach
  void setUp() throws Exception {
    fx = new OutboxFixture();
    brain = SomaBrainDouble.start(doubles, TOKEN);
    queue = new PendingMemories(fx.pool);
  }

  @AfterEach
  void tearDown() throws Exception {
    brain.close();
    Blocking.await(doubles.close(), TIMEOUT);
    fx.close();
  }

  @Test
  void aDeadSyncsMemoriesAreSentByAnotherSyncLongBeforeTheirLeaseEnds() throws Exception {
    List.of("m1", "m2", "m3").forEach(this::enqueue);
    Vertx doomed = Vertx.vertx();
    LeaseKeeper doomedKeeper = fx.newKeeper(doomed);
    assertThat(claim("doomed", doomedKeeper)).hasSize(3);
    assertThat(claim("other", fx.keeper())).isEmpty();

    Blocking.await(doomed.close(), Duration.ofSeconds(30));
    Blocking.await(
        Memories.create(
                fx.vertx,
                fx.pool,
                fx.keeper(),
                config(),
                fx.meters,
                () -> true,
                new BreakerPanel(),
                new FlagBook())
            .deploySync("survivor"),
        TIMEOUT);

    await().atMost(Duration.ofSeconds(30)).until(() -> brain.writes(TENANT).size() == 3);
    assertThat(brain.writes(TENANT)).containsExactly("m1", "m2", "m3");
  }

  @Test
  void aStalledSyncKeepsItsLeaseUntilItExpiresAndCannotSettleOnceTakenOver() throws Exception {
    enqueue("m1");
    LeaseKeeper stalled = fx.newKeeper(fx.vertx);
    Claimed claimed = claim("stalled", stalled).get(0);
    long id = claimed.id();
    assertThat(claim("other", fx.keeper())).isEmpty();

    fx.query("UPDATE pending_memories SET lease_expires_at = now() - interval '1 second'");
    assertThat(claim("other", fx.keeper())).extracting(Claimed::id).containsExactly(id);
    Blocking.await(queue.synced(claimed, "stalled"), TIMEOUT);
    Blocking.await(
        queue.reschedule(claimed, "stalled", true, Duration.ofHours(1), "late"), TIMEOUT);
    Blocking.await(queue.release(List.of(id), "stalled"), TIMEOUT);
    assertThat(Blocking.await(queue.bury(claimed, "stalled", "late", "Late"), TIMEOUT)).isFalse();

    Row row =
        fx.query(
                "SELECT status, lease_owner, attempts, last_error FROM pending_memories"
                    + " WHERE id = $1",
                id)
            .get(0);
    assertThat(row.getString("status")).isEqualTo("pending");
    assertThat(row.getString("lease_owner")).isEqualTo("other");
    assertThat(row.getInteger("attempts")).isZero();
    assertThat(row.getString("last_error")).isNull();
    assertThat(fx.count("SELECT count(*) FROM dead_letter_messages")).isZero();
  }

  @Test
  void aClaimThatWaitedOnTheClaimLockLongerThanItsLeaseStillGetsAWholeLease() throws Exception {
    enqueue("m1");
    Duration lease = Duration.ofSeconds(1);
    HeldAdvisoryLock lock =
        HeldAdvisoryLock.take(fx.pool, "pg_advisory_lock($1)", PendingMemories.CLAIM_LOCK);

    Future<List<Claimed>> claim = queue.claim("waited", fx.keeper().holder(), 10, 10, lease);
    OffsetDateTime released = lock.releaseOnceAWaiterWaited(lease);

    assertThat(Blocking.await(claim, TIMEOUT)).hasSize(1);
    OffsetDateTime leaseEnds =
        fx.query("SELECT lease_expires_at FROM pending_memories").get(0).getOffsetDateTime(0);
    assertThat(leaseEnds).isAfterOrEqualTo(released.plus(lease));
  }

  @Test
  void aMemoryQueuedAgainWhileItsSendIsInFlightIsSentAgainAfterThatSendNeverBesideIt()
      throws Exception {
    enqueue("m1", "first value");
    Claimed first = claim("sync-a", fx.keeper()).get(0);

    enqueue("m1", "second value"); // while sync-a's send of the first value is in flight
    assertThat(claim("sync-b", fx.keeper()))
        .as("no second send beside the first: SomaBrain might apply them in either order")
        .isEmpty();

    Blocking.await(queue.synced(first, "sync-a"), TIMEOUT); // the first send succeeded
    List<Claimed> again = claim("sync-b", fx.keeper());
    assertThat(again).extracting(Claimed::id).containsExactly(first.id());
    assertThat(again.get(0).memory().value().getString("text")).isEqualTo("second value");
    assertThat(fx.count("SELECT count(*) FROM pending_memories WHERE status = 'synced'"))
        .as("the second value is not marked synced by the first's send")
        .isZero();

    Blocking.await(queue.synced(again.get(0), "sync-b"), TIMEOUT);
    assertThat(fx.count("SELECT count(*) FROM pending_memories WHERE status = 'synced'"))
        .isEqualTo(1);
  }

  private List<Claimed> claim(String owner, LeaseKeeper keeper) throws Exception {
    return Blocking.await(queue.claim(owner, keeper.holder(), 10, 10, LONG_LEASE), TIMEOUT);
  }

  private void enqueue(String key) {
    enqueue(key, key);
  }

  private void enqueue(String key, String text) {
    Memory memory =
        new Memory(TENANT, "notes", key, new JsonObject().put("text", text), new JsonObject());
    try {
      Blocking.await(queue.enqueue(fx.pool, memory, 10), TIMEOUT);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private ServiceConfig config() {
    return OutboxFixture.config(
        Map.of(
            "SA01_SOMABRAIN_URL",
            brain.url(),
            "SA01_SOMABRAIN_TOKEN",
            TOKEN,
            "SA01_MEMORY_LEASE_SECONDS",
            "" + LONG_LEASE.toSeconds(),
            "SA01_MEMORY_SYNC_INTERVAL_SECONDS",
            "1"));
  }
}
