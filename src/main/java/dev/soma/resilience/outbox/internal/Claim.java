package dev.soma.resilience.outbox.internal;

import static dev.soma.resilience.outbox.internal.OutboxRepository.ALL_BUCKETS;
import static dev.soma.resilience.outbox.internal.OutboxRepository.CLAIM_BUCKETS;

import java.time.Duration;
import java.util.Map;

/**
 * A claim request: who claims, how much, which tenant bucket ({@code 0 <= bucket < CLAIM_BUCKETS},
 * or {@link OutboxRepository#ALL_BUCKETS}), where the bucket's tenant rotation continues, and the
 * claimer's lease holder number ({@link dev.soma.resilience.common.db.LeaseKeeper#heldKey()}): its
 * leases end with its session. A null holder leases for the lease time only.
 */
public record Claim(
    String owner,
    int batchSize,
    Duration lease,
    int bucket,
    String tenantCursor,
    Map<String, Integer> quota,
    int defaultQuota,
    Integer holder) {

  public Claim {
    if (bucket != ALL_BUCKETS && (bucket < 0 || bucket >= CLAIM_BUCKETS)) {
      throw new IllegalArgumentException(
          "bucket must be " + ALL_BUCKETS + " or 0.." + (CLAIM_BUCKETS - 1) + ", was " + bucket);
    }
  }

  /** A claim without a holder: its leases last their time only (tools and claim-rule tests). */
  public Claim(
      String owner,
      int batchSize,
      Duration lease,
      int bucket,
      String tenantCursor,
      Map<String, Integer> quota,
      int defaultQuota) {
    this(owner, batchSize, lease, bucket, tenantCursor, quota, defaultQuota, null);
  }

  /** A claim over every tenant, as one relay with no rotation would make it, without a holder. */
  public static Claim ofAll(String owner, int batchSize, Duration lease) {
    return ofAll(owner, null, batchSize, lease, "");
  }

  /** The same for {@code holder}, continuing the tenant rotation at {@code tenantCursor}. */
  public static Claim ofAll(
      String owner, Integer holder, int batchSize, Duration lease, String tenantCursor) {
    return new Claim(
        owner, batchSize, lease, ALL_BUCKETS, tenantCursor, Map.of(), Integer.MAX_VALUE, holder);
  }
}
