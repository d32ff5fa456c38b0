package dev.soma.resilience.tenant;

import dev.soma.resilience.tenant.internal.LocalBuckets;
import dev.soma.resilience.tenant.internal.SharedRateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * Every tenant's rate limit, a {@link RateLimit} token bucket per tenant. {@link #tryAcquire}
 * answers 0 when the request may go on, else the milliseconds until the tenant has a token again
 * (the caller answers 429 with Retry-After); its future never fails, whatever Redis does.
 *
 * <p>Two kinds, chosen by {@link #forProcess}: {@link #shared} keeps the buckets in Redis, so the
 * limit holds across the cluster (while Redis does not answer, each node applies its equal share,
 * the limit divided by the live nodes); {@link #local} keeps them in this process, so each node
 * applies the whole limit. Thread-safe: one per process, shared by every HTTP verticle instance.
 */
@FunctionalInterface
public interface RateLimiter {

  /**
   * Takes a token of {@code tenant}'s bucket: 0 when allowed, else the millis until one is there.
   */
  Future<Long> tryAcquire(String tenant);

  /**
   * The process's limiter: {@link #shared} in the Redis at {@code redisUrl}, or {@link #local} when
   * none is configured.
   */
  static RateLimiter forProcess(
      Vertx vertx,
      Optional<URI> redisUrl,
      RateLimit limit,
      IntSupplier liveNodes,
      Duration redisTimeout,
      MeterRegistry registry) {
    return redisUrl
        .map(url -> shared(vertx, url, limit, liveNodes, redisTimeout, registry))
        .orElseGet(() -> local(limit, Clock.systemUTC()));
  }

  /**
   * Buckets in the Redis at {@code redisUrl}, shared by every node using it, through a client of
   * this limiter's own; while Redis does not answer within {@code redisTimeout}, each node applies
   * {@code limit.share(liveNodes)} on its own. Counts those requests in {@code
   * rate_limit_fallback_total} on {@code registry}.
   */
  static RateLimiter shared(
      Vertx vertx,
      URI redisUrl,
      RateLimit limit,
      IntSupplier liveNodes,
      Duration redisTimeout,
      MeterRegistry registry) {
    RedisAPI redis =
        RedisAPI.api(
            Redis.createClient(
                vertx,
                new RedisOptions()
                    .setConnectionString(redisUrl.toString())
                    .setMaxPoolWaiting(1000)));
    SharedRateLimiter limiter =
        new SharedRateLimiter(redis, limit, liveNodes, redisTimeout, Clock.systemUTC(), registry);
    limiter.warmUp(); // its failure says nothing the first request will not find out
    return limiter;
  }

  /** Buckets in this process only: with N nodes, a tenant may make N times its limit. */
  static RateLimiter local(RateLimit limit, Clock clock) {
    LocalBuckets buckets = new LocalBuckets(clock);
    return tenant -> Future.succeededFuture(buckets.take(tenant, limit));
  }
}
