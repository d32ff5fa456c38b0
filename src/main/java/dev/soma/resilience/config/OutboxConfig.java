package dev.soma.resilience.config;

import java.time.Duration;

/**
 * The outbox relay's settings.
 *
 * @param batchSize rows claimed per round trip
 * @param maxInFlightBatches claimed batches waiting for broker acks at once, per relay (claims in
 *     progress count as batches)
 * @param concurrentClaims claims one relay runs at once, each on its own tenant bucket (at most the
 *     4 buckets there are)
 * @param pollInterval the safety-net poll when no wake-up signal arrives
 * @param lease how long a claim is exclusive; must outlast the producer's delivery timeout so a
 *     live relay always settles its rows before another may take them over
 * @param backoffInitial first retry delay after a failed publish (doubles, with jitter)
 * @param backoffMax the largest retry delay
 * @param kafkaDownBackoffMax the largest pause between probes while the broker is unreachable
 * @param retention how long published rows stay before cleanup deletes them
 * @param cleanupInterval how often retention cleanup runs
 * @param pendingGaugeInterval how often the per-tenant pending gauge is refreshed
 * @param tenantQuota per-tenant pacing; disabled by default
 * @param replay how operators' replays are paced and bounded
 * @throws ConfigException when a count is below 1 or a duration is not positive (the retention may
 *     be zero); the loader's ranges for operators are narrower (docs/CONFIGURATION.md)
 */
public record OutboxConfig(
    int batchSize,
    int maxInFlightBatches,
    int concurrentClaims,
    Duration pollInterval,
    Duration lease,
    Duration backoffInitial,
    Duration backoffMax,
    Duration kafkaDownBackoffMax,
    Duration retention,
    Duration cleanupInterval,
    Duration pendingGaugeInterval,
    TenantQuota tenantQuota,
    Replay replay) {

  /** At most {@code limit} events per tenant per {@code window}; excess waits, never dropped. */
  public record TenantQuota(boolean enabled, int limit, Duration window) {
    public TenantQuota {
      Require.atLeast("outbox.tenantQuotaLimit", limit, 1);
      Require.positive("outbox.tenantQuotaWindowSeconds", window);
    }
  }

  /**
   * Operators' replays ({@code outbox.OutboxReplay}).
   *
   * @param rate replayed events made due per second: row {@code i} of a replay is due {@code i /
   *     rate} seconds after it, and the relays together release due rows at most at this rate
   *     (beyond one second's worth in hand); rows wait in the replay schedule until due, so the
   *     claim of live events does not read through them (docs/PERFORMANCE.md, Issue 17)
   * @param maxRows the most rows one replay may put back (a larger selection is refused: narrow the
   *     filter or replay in parts)
   */
  public record Replay(int rate, int maxRows) {
    public Replay {
      Require.atLeast("outbox.replayRate", rate, 1);
      Require.atLeast("outbox.replayMaxRows", maxRows, 1);
    }
  }

  public OutboxConfig {
    Require.atLeast("outbox.batchSize", batchSize, 1);
    Require.atLeast("outbox.maxInFlightBatches", maxInFlightBatches, 1);
    Require.between("outbox.concurrentClaims", concurrentClaims, 1, 4);
    Require.positive("outbox.pollIntervalMs", pollInterval);
    Require.positive("outbox.leaseSeconds", lease);
    Require.positive("outbox.backoffInitialMs", backoffInitial);
    Require.positive("outbox.backoffMaxMs", backoffMax);
    Require.notBelow("outbox.backoffMaxMs", backoffMax, "outbox.backoffInitialMs", backoffInitial);
    Require.positive("outbox.kafkaDownBackoffMaxMs", kafkaDownBackoffMax);
    Require.notNegative("outbox.retentionHours", retention);
    Require.positive("outbox.cleanupIntervalSeconds", cleanupInterval);
    Require.positive("outbox.pendingGaugeIntervalSeconds", pendingGaugeInterval);
    Require.present("outbox.tenantQuota", tenantQuota);
    Require.present("outbox.replay", replay);
  }

  static OutboxConfig from(Settings s) {
    return new OutboxConfig(
        s.intIn("outbox.batchSize", 1, 10_000),
        s.intIn("outbox.maxInFlightBatches", 1, 64),
        s.intIn("outbox.concurrentClaims", 1, 4),
        s.duration("outbox.pollIntervalMs", 10, 3_600_000),
        s.duration("outbox.leaseSeconds", 5, 86_400),
        s.duration("outbox.backoffInitialMs", 1, 3_600_000),
        s.duration("outbox.backoffMaxMs", 1, 86_400_000),
        s.duration("outbox.kafkaDownBackoffMaxMs", 10, 3_600_000),
        s.duration("outbox.retentionHours", 0, 24 * 365),
        s.duration("outbox.cleanupIntervalSeconds", 1, 86_400),
        s.duration("outbox.pendingGaugeIntervalSeconds", 1, 3600),
        new TenantQuota(
            s.bool("outbox.tenantQuotaEnabled"),
            s.intIn("outbox.tenantQuotaLimit", 1, Integer.MAX_VALUE),
            s.duration("outbox.tenantQuotaWindowSeconds", 1, 86_400)),
        new Replay(
            s.intIn("outbox.replayRate", 1, 1_000_000),
            s.intIn("outbox.replayMaxRows", 1, 10_000_000)));
  }

  /** Rejects combinations that would break the relay's guarantees. */
  public OutboxConfig validatedAgainst(KafkaConfig kafka) {
    if (lease.toMillis() <= kafka.deliveryTimeoutMs() + 5_000L) {
      throw ConfigException.invalidSetting(
          "outbox.leaseSeconds",
          lease.toSeconds(),
          "longer than kafka.deliveryTimeoutMs + 5 s ("
              + (kafka.deliveryTimeoutMs() / 1000 + 5)
              + " s), so a live relay settles its rows before its lease runs out");
    }
    return this;
  }
}
