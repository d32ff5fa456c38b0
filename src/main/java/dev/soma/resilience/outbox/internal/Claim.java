package dev.soma.resilience.outbox.internal;

import static dev.soma.resilience.outbox.internal.OutboxRepository.ALL_BUCKETS;
import static dev.soma.resilience.outbox.internal.OutboxRepository.CLAIM_BUCKETS;

import java.time.Duration;
import java.util.Map;

/**
 * A claim request: who claims, how much, which tenant bucket ({@code 0 <= bucket < CLAIM_BUCKETS},
 * or {@link OutboxRepository#ALL_BUCKETS}), and where the bucket's tenant rotation continues.
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
    return ofAll(owner, batchSize, lease, "");
  }

  /** The same, continuing the tenant rotation at {@code tenantCursor}. */
  public static Claim ofAll(String owner, int batchSize, Duration lease, String tenantCursor) {
    return new Claim(
        owner, batchSize, lease, ALL_BUCKETS, tenantCursor, Map.of(), Integer.MAX_VALUE);
  }
}
