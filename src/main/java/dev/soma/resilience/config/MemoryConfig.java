package dev.soma.resilience.config;

import dev.soma.resilience.breaker.BreakerSettings;
import java.time.Duration;

/**
 * SomaBrain (its URL is {@link ServiceConfig#somabrainUrl()}) and the pending-memory queue.
 *
 * @param somabrainToken its bearer token ({@code SA01_SOMABRAIN_TOKEN}); a secret
 * @param namespace the namespace memories are stored in unless a request names one
 * @param requestTimeout a call to SomaBrain gives up after this
 * @param breaker when the API stops calling SomaBrain directly (and queues instead)
 * @param writeMode {@code sync} (SomaBrain now, or an error), {@code async} (always queued) or
 *     {@code auto} (now within {@code autoTimeout}, else queued)
 * @param autoTimeout how long {@code auto} waits for SomaBrain before queueing
 * @param syncBatchSize memories claimed per sync round
 * @param syncInterval the sync's poll when no status change wakes it
 * @param syncConcurrentTenants tenants synced at once (each tenant's memories go in order)
 * @param maxAttempts failed sends before a memory goes to the dead letters
 * @param lease how long a claimed memory is exclusive to one node
 * @param backoffInitial first retry delay (doubles, with jitter)
 * @param backoffMax largest retry delay
 * @throws ConfigException when a count is below 1, a duration is not positive, the namespace is
 *     empty or the write mode unknown
 */
public record MemoryConfig(
    Secret somabrainToken,
    String namespace,
    Duration requestTimeout,
    BreakerSettings breaker,
    String writeMode,
    Duration autoTimeout,
    int syncBatchSize,
    Duration syncInterval,
    int syncConcurrentTenants,
    int maxAttempts,
    Duration lease,
    Duration backoffInitial,
    Duration backoffMax) {

  public MemoryConfig {
    Require.present("somabrain.token", somabrainToken);
    Require.nonEmpty("somabrain.namespace", namespace);
    Require.positive("somabrain.requestTimeoutMs", requestTimeout);
    Require.present("somabrain.breakerFailureThreshold", breaker);
    Require.oneOf("memory.writeMode", writeMode, "sync", "async", "auto");
    Require.positive("memory.autoTimeoutMs", autoTimeout);
    Require.atLeast("memory.syncBatchSize", syncBatchSize, 1);
    Require.positive("memory.syncIntervalSeconds", syncInterval);
    Require.atLeast("memory.syncConcurrentTenants", syncConcurrentTenants, 1);
    Require.atLeast("memory.maxAttempts", maxAttempts, 1);
    Require.positive("memory.leaseSeconds", lease);
    Require.positive("memory.backoffInitialMs", backoffInitial);
    Require.positive("memory.backoffMaxMs", backoffMax);
    Require.notBelow("memory.backoffMaxMs", backoffMax, "memory.backoffInitialMs", backoffInitial);
  }

  static MemoryConfig from(Settings s) {
    return new MemoryConfig(
        new Secret(s.string("somabrain.token")),
        s.string("somabrain.namespace").isEmpty() ? "wm" : s.string("somabrain.namespace"),
        s.duration("somabrain.requestTimeoutMs", 100, 600_000),
        new BreakerSettings(
            s.intIn("somabrain.breakerFailureThreshold", 1, 1000),
            s.duration("somabrain.breakerResetSeconds", 1, 86_400),
            1),
        s.oneOf("memory.writeMode", "sync", "async", "auto"),
        s.duration("memory.autoTimeoutMs", 50, 60_000),
        s.intIn("memory.syncBatchSize", 1, 10_000),
        s.duration("memory.syncIntervalSeconds", 1, 3600),
        s.intIn("memory.syncConcurrentTenants", 1, 1000),
        s.intIn("memory.maxAttempts", 1, 1000),
        s.duration("memory.leaseSeconds", 5, 86_400),
        s.duration("memory.backoffInitialMs", 1, 3_600_000),
        s.duration("memory.backoffMaxMs", 1, 86_400_000));
  }
}
