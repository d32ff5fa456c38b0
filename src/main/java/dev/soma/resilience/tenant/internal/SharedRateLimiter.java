package dev.soma.resilience.tenant.internal;

import dev.soma.resilience.tenant.RateLimit;
import dev.soma.resilience.tenant.RateLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster-wide limiter: every tenant's budget lives in Redis ({@link RedisBuckets}) and is
 * shared by every node. While Redis does not answer within the timeout, each node applies its equal
 * share of the limit on its own ({@link RateLimit#share}, by the live node count at each request)
 * and asks Redis again once per {@link #ASK_REDIS_AGAIN_EVERY} ({@link RedisOutage}); the first
 * answer puts every tenant back on the shared budget. An outage's start and end are logged once
 * each; every request decided locally counts in {@code rate_limit_fallback_total}.
 *
 * <p>Thread-safe; one per process, shared by every HTTP verticle instance.
 */
public final class SharedRateLimiter implements RateLimiter {

  private static final Logger LOG = LoggerFactory.getLogger(SharedRateLimiter.class);

  /** During an outage, how often one request asks Redis whether it is back. */
  public static final Duration ASK_REDIS_AGAIN_EVERY = Duration.ofSeconds(1);

  private final RedisBuckets redis;
  private final LocalBuckets local;
  private final RateLimit limit;
  private final IntSupplier liveNodes;
  private final long timeoutMillis;
  private final RedisOutage outage;
  private final Counter fallbacks;
  private final AtomicLong decidedLocally = new AtomicLong();

  /**
   * @param redis this node's connection to the shared Redis
   * @param liveNodes how many nodes share the limit now (cheap, never blocks)
   * @param timeout a Redis that has not answered a request within this is taken to be down
   */
  public SharedRateLimiter(
      RedisAPI redis,
      RateLimit limit,
      IntSupplier liveNodes,
      Duration timeout,
      Clock clock,
      MeterRegistry registry) {
    this.redis = new RedisBuckets(redis);
    this.local = new LocalBuckets(clock);
    this.limit = limit;
    this.liveNodes = liveNodes;
    this.timeoutMillis = timeout.toMillis();
    this.outage = new RedisOutage(clock, ASK_REDIS_AGAIN_EVERY);
    this.fallbacks =
        Counter.builder("rate.limit.fallback")
            .description(
                "Requests whose tenant rate limit was decided by this node's share because Redis"
                    + " did not answer")
            .register(registry);
  }

  @Override
  public Future<Long> tryAcquire(String tenant) {
    if (!outage.mayAsk()) {
      return Future.succeededFuture(locally(tenant));
    }
    return redis
        .take(tenant, limit)
        .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .map(
            wait -> {
              if (outage.answered()) {
                LOG.info(
                    "rate limits: Redis answers again; every tenant's limit is shared by the"
                        + " cluster again ({} request(s) were decided by this node's share"
                        + " meanwhile)",
                    decidedLocally.getAndSet(0));
              }
              return wait;
            })
        .recover(
            e -> {
              if (outage.failed()) {
                LOG.warn(
                    "rate limits: Redis did not answer ({}); until it does, this node applies"
                        + " every tenant's limit divided by the {} live node(s) on its own, and"
                        + " asks Redis again every {} ms",
                    e.toString(),
                    Math.max(1, liveNodes.getAsInt()),
                    ASK_REDIS_AGAIN_EVERY.toMillis());
              }
              return Future.succeededFuture(locally(tenant));
            });
  }

  /**
   * Connects to Redis and loads the script, so that the first request pays for neither (on a cold
   * process they may take longer than the timeout, which would start an outage that is none). Fails
   * as Redis does; the requests find out for themselves.
   */
  public Future<Void> warmUp() {
    return redis.load();
  }

  /** Whether this node is on its own share now (Redis is taken to be down). */
  public boolean onLocalShare() {
    return outage.ongoing();
  }

  private long locally(String tenant) {
    fallbacks.increment();
    decidedLocally.incrementAndGet();
    return local.take(tenant, limit.share(liveNodes.getAsInt()));
  }
}
