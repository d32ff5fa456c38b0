package dev.soma.resilience.flags;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TenantBucketTest {

  /** Computed independently (Python's hashlib); a change here moves tenants in every rule. */
  @Test
  void knownTenantsKeepTheirBucketsAcrossReleases() {
    assertThat(TenantBucket.of("relay.tenant-quotas", "acme")).isEqualTo(38);
    assertThat(TenantBucket.of("memory.queue-first", "acme")).isEqualTo(33);
    assertThat(TenantBucket.of("llm.canary-chain", "acme")).isEqualTo(66);
    assertThat(TenantBucket.of("llm.canary-chain", "t-0001")).isEqualTo(76);
  }

  @Test
  void everyBucketIsFromZeroToNinetyNine() {
    for (int i = 0; i < 1000; i++) {
      assertThat(TenantBucket.of("llm.canary-chain", "t" + i)).isBetween(0, 99);
    }
  }
}
