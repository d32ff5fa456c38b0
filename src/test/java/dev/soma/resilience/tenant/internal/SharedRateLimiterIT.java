package dev.soma.resilience.tenant.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.tenant.RateLimit;
import dev.soma.resilience.testing.LogCapture;
import dev.soma.resilience.testing.ManualClock;
import dev.soma.resilience.testing.TcpProxy;
import dev.soma.resilience.testing.TestServices;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cluster-wide limiter against the suite's real Redis: two limiters, each on a Vert.x and a
 * Redis connection of its own, stand for two nodes. A burst of 3 refilled at one token per 5 s, so
 * no token comes back while a test runs.
 */
@ExtendWith(TestServices.class)
class SharedRateLimiterIT {

  private static final RateLimit LIMIT = new RateLimit(0.2, 3);

  /** Generous: a slow first connection must not pass for an outage here. */
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final List<Vertx> nodes = new ArrayList<>();
  private final String tenant = "t-" + UUID.randomUUID().toString().substring(0, 8);

  @AfterEach
  void tearDown() throws Exception {
    for (Vertx node : nodes) {
      Blocking.await(node.close(), Duration.ofSeconds(10));
    }
  }

  @Test
  void twoNodesShareOneBudget() throws Exception {
    Node a = node(TestServices.redis(), Clock.systemUTC());
    Node b = node(TestServices.redis(), Clock.systemUTC());

    assertThat(a.take(tenant)).isZero();
    assertThat(b.take(tenant)).isZero();
    assertThat(a.take(tenant)).isZero();

    assertThat(b.take(tenant)).as("the 4th request, on either node").isBetween(1L, 5_000L);
    assertThat(a.take(tenant)).isBetween(1L, 5_000L);
    assertThat(b.take("other-" + tenant)).as("another tenant's budget").isZero();
    assertThat(a.limiter.onLocalShare()).isFalse();
  }

  @Test
  void theBudgetIsCountedOnRedissClockNotTheNodes() throws Exception {
    Instant now = Instant.now();
    Node a = node(TestServices.redis(), new ManualClock(now));
    Node b = node(TestServices.redis(), new ManualClock(now.plus(Duration.ofHours(1))));

    for (int i = 0; i < 3; i++) {
      a.take(tenant);
    }

    assertThat(b.take(tenant)).as("a node an hour ahead finds no refill").isPositive();
  }

  @Test
  void aTenantsBucketIsOneKeyThatExpiresOnceItWouldBeFullAgain() throws Exception {
    Node a = node(TestServices.redis(), Clock.systemUTC());

    a.take(tenant);

    long ttl = onLoop(a.vertx, () -> a.redis.pttl("soma:ratelimit:" + tenant)).toLong();
    assertThat(ttl).as("one token to refill at 0.2/s, plus a second").isBetween(1L, 6_000L);
  }

  @Test
  void aRedisThatLostTheScriptIsSentItAgain() throws Exception {
    Node a = node(TestServices.redis(), Clock.systemUTC());
    a.take(tenant);

    onLoop(a.vertx, () -> a.redis.script(List.of("FLUSH")));

    assertThat(a.take(tenant)).isZero();
    assertThat(a.take(tenant)).isZero();
    assertThat(a.take(tenant)).isPositive();
    assertThat(a.limiter.onLocalShare()).as("answered by Redis, not by the fallback").isFalse();
  }

  @Test
  void whileRedisIsCutEachNodeAppliesItsShareThenTheSharedBudgetAgain() throws Exception {
    URI redis = TestServices.redis();
    try (TcpProxy proxy = new TcpProxy(redis.getHost(), redis.getPort());
        LogCapture log = LogCapture.of(SharedRateLimiter.class)) {
      URI throughProxy = URI.create("redis://127.0.0.1:" + proxy.port());
      Node a = node(throughProxy, Clock.systemUTC());
      Node b = node(throughProxy, Clock.systemUTC());
      Node direct = node(redis, Clock.systemUTC()); // a third node that still reaches Redis
      assertThat(a.take("warm-" + tenant)).isZero();
      assertThat(b.take("warm-" + tenant)).isZero();

      proxy.cut();
      // 2 live nodes: each lets 1.5 of the burst of 3 through, i.e. one request, on its own
      assertThat(a.take(tenant)).isZero();
      assertThat(a.take(tenant)).as("a's share is used up").isPositive();
      assertThat(b.take(tenant)).as("b has a share of its own").isZero();
      assertThat(b.take(tenant)).isPositive();
      for (int i = 0; i < 20; i++) {
        a.take(tenant);
      }
      assertThat(a.limiter.onLocalShare()).isTrue();
      assertThat(a.fallbacks()).isEqualTo(22);
      assertThat(log.messages())
          .as("one line per node for the outage, not one per request")
          .filteredOn(line -> line.contains("Redis did not answer"))
          .hasSize(2);

      proxy.restore();
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                a.take("probe-" + tenant);
                return !a.limiter.onLocalShare();
              });
      String later = "later-" + tenant;
      for (int i = 0; i < 3; i++) {
        assertThat(direct.take(later)).isZero();
      }
      assertThat(a.take(later)).as("the budget the third node used up").isPositive();
      assertThat(log.messages())
          .filteredOn(line -> line.contains("Redis answers again"))
          .hasSize(1);
    }
  }

  /** One node: a Vert.x, a Redis connection and a limiter of its own; two live nodes in all. */
  private Node node(URI redisUrl, Clock clock) throws Exception {
    Vertx vertx = Vertx.vertx();
    nodes.add(vertx);
    RedisAPI redis = RedisAPI.api(Redis.createClient(vertx, redisUrl.toString()));
    onLoop(vertx, () -> redis.ping(List.of())); // connected before the first request
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    return new Node(
        vertx, redis, new SharedRateLimiter(redis, LIMIT, () -> 2, TIMEOUT, clock, meters), meters);
  }

  private record Node(
      Vertx vertx, RedisAPI redis, SharedRateLimiter limiter, SimpleMeterRegistry meters) {

    long take(String tenant) throws Exception {
      return onLoop(vertx, () -> limiter.tryAcquire(tenant));
    }

    double fallbacks() {
      return meters.get("rate.limit.fallback").counter().count();
    }
  }

  private static <T> T onLoop(Vertx vertx, Supplier<Future<T>> call) throws Exception {
    Promise<T> result = Promise.promise();
    vertx.runOnContext(v -> call.get().onComplete(result));
    return Blocking.await(result.future(), Duration.ofSeconds(10));
  }
}
