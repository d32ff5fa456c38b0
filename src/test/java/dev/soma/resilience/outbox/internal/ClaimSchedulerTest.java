package dev.soma.resilience.outbox.internal;

import static dev.soma.resilience.outbox.internal.ClaimScheduler.NONE;
import static dev.soma.resilience.outbox.internal.OutboxRepository.ALL_BUCKETS;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClaimSchedulerTest {

  private static final int BATCH = 100;
  private final ClaimScheduler claims = new ClaimScheduler(BATCH, 2);

  @Test
  void claimsNothingUntilWoken() {
    assertThat(claims.next()).isEqualTo(NONE);
  }

  @Test
  void aTrickleIsClaimedOverAllTenantsOnceAtATime() {
    claims.woken();
    assertThat(claims.next()).isEqualTo(ALL_BUCKETS);
    claims.woken();
    assertThat(claims.next()).as("one claim at a time").isEqualTo(NONE);
    claims.finished(ALL_BUCKETS, 7);
    assertThat(claims.next()).as("the wake-up during the claim").isEqualTo(ALL_BUCKETS);
    claims.finished(ALL_BUCKETS, 3);
    assertThat(claims.next()).as("no wake-up since it started").isEqualTo(NONE);
    assertThat(claims.inBacklogMode()).isFalse();
  }

  @Test
  void aFullClaimStartsConcurrentClaimsOnBucketsInTurn() {
    claims.woken();
    claims.next();
    claims.finished(ALL_BUCKETS, BATCH);

    assertThat(claims.inBacklogMode()).isTrue();
    assertThat(claims.next()).isEqualTo(0);
    assertThat(claims.next()).isEqualTo(1);
    assertThat(claims.next()).as("at most two at once").isEqualTo(NONE);
    claims.finished(0, BATCH);
    assertThat(claims.next()).isEqualTo(2);
    claims.finished(2, BATCH);
    assertThat(claims.next()).isEqualTo(3);
    claims.finished(3, BATCH);
    assertThat(claims.next()).as("bucket 1 is still running").isEqualTo(0);
  }

  @Test
  void theBacklogModeEndsAfterARoundThatBroughtBackLessThanABatch() {
    claims.woken();
    claims.next();
    claims.finished(ALL_BUCKETS, BATCH);
    for (int i = 0; i < OutboxRepository.CLAIM_BUCKETS; i++) {
      int bucket = claims.next();
      claims.finished(bucket, 10);
    }

    assertThat(claims.inBacklogMode()).isFalse();
    assertThat(claims.next())
        .as("one claim over everything picks up the rest")
        .isEqualTo(ALL_BUCKETS);
  }

  @Test
  void emptyBucketsEndTheBacklogModeAndWaitForTheNextWakeUp() {
    claims.woken();
    claims.next();
    claims.finished(ALL_BUCKETS, BATCH);
    int first = claims.next();
    claims.finished(first, BATCH);
    for (int i = 0; i < OutboxRepository.CLAIM_BUCKETS; i++) {
      int bucket = claims.next();
      assertThat(bucket).as("claim %d after the last rows", i).isNotEqualTo(NONE);
      claims.finished(bucket, 0);
    }

    assertThat(claims.inBacklogMode()).isFalse();
    assertThat(claims.next()).isEqualTo(NONE);
    claims.woken();
    assertThat(claims.next()).isEqualTo(ALL_BUCKETS);
  }
}
