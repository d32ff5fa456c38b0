package dev.soma.resilience.tenant;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * A token bucket per tenant: {@code burst} requests at once, refilled at {@code perSecond}.
 * Thread-safe: one limiter serves every HTTP verticle instance of a node, so limits are per node.
 */
public final class RateLimiter {

  private record Bucket(double tokens, long atMillis) {}

  private final int perSecond;
  private final int burst;
  private final Clock clock;
  private final Map<String, Bucket> buckets = new HashMap<>();

  public RateLimiter(int perSecond, int burst, Clock clock) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.clock = clock;
  }

  /** Takes a token; returns 0 when allowed, else the milliseconds until one is available. */
  public synchronized long tryAcquire(String tenant) {
    long now = clock.millis();
    Bucket bucket = buckets.getOrDefault(tenant, new Bucket(burst, now));
    double tokens =
        Math.min(burst, bucket.tokens() + (now - bucket.atMillis()) * perSecond / 1000.0);
    if (tokens >= 1) {
      buckets.put(tenant, new Bucket(tokens - 1, now));
      return 0;
    }
    buckets.put(tenant, new Bucket(tokens, now));
    return (long) Math.ceil((1 - tokens) * 1000.0 / perSecond);
  }
}
