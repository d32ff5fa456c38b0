package dev.soma.resilience.tenant.internal;

import dev.soma.resilience.tenant.RateLimit;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * A token bucket per tenant in this process. The limit is given with each request, so it may change
 * between requests (a node's share changes with the number of live nodes): the tokens a bucket
 * holds are capped at the burst of the request that reads them, and refilled at its rate since the
 * bucket was last touched.
 *
 * <p>Thread-safe: one instance serves every HTTP verticle instance of a process; the lock is held
 * for a map read and write, never across I/O.
 */
public final class LocalBuckets {

  private record Bucket(double tokens, long atMillis) {}

  private final Clock clock;
  private final Map<String, Bucket> buckets = new HashMap<>();

  public LocalBuckets(Clock clock) {
    this.clock = clock;
  }

  /**
   * Takes a token of {@code tenant}'s bucket; 0 when allowed, else the millis until one is there.
   */
  public synchronized long take(String tenant, RateLimit limit) {
    long now = clock.millis();
    Bucket bucket = buckets.getOrDefault(tenant, new Bucket(limit.burst(), now));
    double tokens =
        Math.min(
            limit.burst(),
            bucket.tokens() + Math.max(0, now - bucket.atMillis()) * limit.perSecond() / 1000.0);
    if (tokens >= 1) {
      buckets.put(tenant, new Bucket(tokens - 1, now));
      return 0;
    }
    buckets.put(tenant, new Bucket(tokens, now));
    return (long) Math.ceil((1 - tokens) * 1000.0 / limit.perSecond());
  }
}
