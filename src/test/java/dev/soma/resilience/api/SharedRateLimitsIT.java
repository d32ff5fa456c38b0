package dev.soma.resilience.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.tenant.RateLimit;
import dev.soma.resilience.tenant.RateLimiter;
import dev.soma.resilience.tenant.Tenants;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TcpProxy;
import dev.soma.resilience.testing.TestServices;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Per-tenant rate limits through the API of a service whose Redis (the suite's real one) is reached
 * through a proxy that can cut it: the budget is shared with another node (a limiter on a Redis
 * connection of its own), and while Redis is cut every request is still answered, 202 or 429, on
 * this node's share; once Redis is back the shared budget applies again.
 */
@ExtendWith(TestServices.class)
class SharedRateLimitsIT {

  private static final HttpClient http = HttpClient.newHttpClient();
  private static final RateLimit LIMIT = new RateLimit(1, 3);
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static TcpProxy proxy;
  private static Application app;
  private static Vertx otherVertx;
  private static RateLimiter otherNode;

  @BeforeAll
  static void start() throws Exception {
    URI redis = TestServices.redis();
    proxy = new TcpProxy(redis.getHost(), redis.getPort());
    ServiceConfig config =
        OutboxFixture.config(
            Map.of(
                "SA01_DATABASE_URL",
                TestServices.databaseUrlSetting(TestServices.freshDatabase()),
                "SA01_KAFKA_BOOTSTRAP_SERVERS",
                TestServices.kafkaBootstrap(),
                "SA01_REDIS_URL",
                "redis://127.0.0.1:" + proxy.port(),
                "SA01_HTTP_PORT",
                "0",
                "SA01_DATA_DIR",
                TestServices.tempDir("shared-limits").toString(),
                "SA01_API_RATE_LIMIT_PER_SECOND",
                "1",
                "SA01_API_RATE_LIMIT_BURST",
                "3",
                // a cold first connection must not pass for an outage; a cut one fails at once
                "SA01_API_RATE_LIMIT_REDIS_TIMEOUT_MS",
                "2000"));
    app = Application.start(config, Application.Role.SERVICE);
    otherVertx = Vertx.vertx();
    otherNode =
        RateLimiter.shared(
            otherVertx, redis, LIMIT, () -> 1, Duration.ofSeconds(2), new SimpleMeterRegistry());
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      app.close();
    }
    if (otherVertx != null) {
      Blocking.await(otherVertx.close(), TIMEOUT);
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  @AfterEach
  void reconnect() throws Exception {
    proxy.restore();
  }

  @Test
  void aBudgetUsedUpOnAnotherNodeGets429Here() throws Exception {
    Tenant shared = tenant("shared");

    assertThat(post(shared.key(), "m1").statusCode()).as("this node's first").isEqualTo(202);
    String drained = useUpOnTheOtherNode(shared.id());

    HttpResponse<String> limited = post(shared.key(), "m2");
    assertThat(limited.statusCode()).as("after %s", drained).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(limited.headers().firstValue("Content-Type")).hasValue("application/problem+json");
  }

  @Test
  void whileRedisIsCutRequestsAreAnsweredOnThisNodesShareThenTheSharedBudgetAppliesAgain()
      throws Exception {
    String key = tenant("cut").key();
    double fallbacksBefore = fallbacks();

    proxy.cut();
    HttpResponse<String> limited = null;
    int accepted = 0;
    for (int i = 0; i < 20 && limited == null; i++) {
      HttpResponse<String> response = post(key, "r" + i);
      if (response.statusCode() == 429) {
        limited = response;
      } else {
        assertThat(response.statusCode()).as("request %d while Redis is cut", i).isEqualTo(202);
        accepted++;
      }
    }

    // one live node: its share is the whole limit (a burst of 3, 1 per second)
    assertThat(accepted).isBetween(3, 5);
    assertThat(limited).as("this node's share still limits").isNotNull();
    assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(fallbacks()).isGreaterThan(fallbacksBefore + accepted);

    proxy.restore();
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              // a tenant this node never saw: only Redis knows its budget is used up
              Tenant fresh = tenant("back");
              useUpOnTheOtherNode(fresh.id());
              assertThat(post(fresh.key(), "b1").statusCode()).isEqualTo(429);
            });
  }

  /** Takes every token of {@code tenant} on the other node; says how many it took. */
  private static String useUpOnTheOtherNode(String tenant) throws Exception {
    int taken = 0;
    while (onOtherNode(tenant) == 0) {
      taken++;
    }
    return taken + " request(s) on the other node";
  }

  private static long onOtherNode(String tenant) throws Exception {
    Promise<Long> result = Promise.promise();
    otherVertx.runOnContext(v -> otherNode.tryAcquire(tenant).onComplete(result));
    return Blocking.await(result.future(), TIMEOUT);
  }

  private static double fallbacks() throws Exception {
    String scrape =
        http.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + app.httpPort() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Matcher line = Pattern.compile("(?m)^rate_limit_fallback_total (\\S+)$").matcher(scrape);
    assertThat(line.find()).as("rate_limit_fallback_total is exposed").isTrue();
    return Double.parseDouble(line.group(1));
  }

  private record Tenant(String id, String key) {}

  /** A new tenant (named after {@code purpose}, never seen before) with an API key. */
  private static Tenant tenant(String purpose) throws Exception {
    String id = purpose + "-" + UUID.randomUUID().toString().substring(0, 8);
    Tenants tenants = new Tenants(app.pool());
    Blocking.await(tenants.create(id, null, "test"), TIMEOUT);
    return new Tenant(
        id, Blocking.await(tenants.createKey(id, "it", "test"), TIMEOUT).getString("apiKey"));
  }

  private static HttpResponse<String> post(String key, String messageId) throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + app.httpPort() + "/v1/conversations/c/messages"))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"messageId\":\"" + messageId + "\",\"content\":\"hi\"}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
