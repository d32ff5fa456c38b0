package dev.soma.resilience.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.outbox.OutboxEntry;
import dev.soma.resilience.testing.HeldAdvisoryLock;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A claim's lease counts from the moment the rows are leased, not from the start of the claim's
 * transaction: a claim that waited on its bucket's lock longer than the lease still hands out a
 * whole lease.
 */
@ExtendWith(TestServices.class)
class ClaimLeaseClockIT {

  private static final Duration LEASE = Duration.ofSeconds(1);
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
  void aClaimThatWaitedOnTheBucketsLockLongerThanItsLeaseStillGetsAWholeLease() throws Exception {
    fx.enqueue(
        List.of(OutboxEntry.of("tenant", "event-1", "lease-clock", "key", new JsonObject())));
    // every claim on all buckets takes bucket 0's lock first
    HeldAdvisoryLock lock =
        HeldAdvisoryLock.take(fx.pool, "pg_advisory_lock($1, 0)", ClaimSql.CLAIM_LOCK_CLASS);

    Future<OutboxRepository.Claimed> claim =
        new OutboxRepository(fx.pool).claim(Claim.ofAll("waited", 10, LEASE));
    OffsetDateTime released = lock.releaseOnceAWaiterWaited(LEASE);
    List<ClaimedEvent> claimed = Blocking.await(claim, Duration.ofSeconds(30)).events();

    assertThat(claimed).hasSize(1);
    OffsetDateTime leaseEnds =
        fx.query("SELECT lease_expires_at FROM outbox_messages").get(0).getOffsetDateTime(0);
    assertThat(leaseEnds).isAfterOrEqualTo(released.plus(LEASE));
  }
}
