package dev.soma.resilience.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.tenant.Tenants;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Per-tenant rate limits and outbox-backlog backpressure answer 429 for that tenant only. */
@ExtendWith(TestServices.class)
class TenantLimitsIT {

  private static final HttpClient http = HttpClient.newHttpClient();
  private static Application app;

  @BeforeAll
  static void start() throws Exception {
    ServiceConfig config =
        OutboxFixture.config(
            Map.of(
                "SA01_DATABASE_URL", TestServices.databaseUrlSetting(TestServices.freshDatabase()),
                "SA01_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap(),
                "SA01_HTTP_PORT", "0",
                "SA01_DATA_DIR", TestServices.tempDir("limits").toString(),
                "SA01_API_RATE_LIMIT_PER_SECOND", "1",
                "SA01_API_RATE_LIMIT_BURST", "3",
                "SA01_API_BACKLOG_LIMIT", "5",
                "SA01_OUTBOX_PENDING_GAUGE_INTERVAL_SECONDS", "1"));
    app = Application.start(config, Application.Role.SERVICE);
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void aTenantOverItsRateGets429WithRetryAfterWhileOthersGoOn() throws Exception {
    String busy = key("busy");
    String calm = key("calm");
    // a burst of 3 refilled at 1 per second: 20 quick requests cannot all pass
    HttpResponse<String> limited = null;
    int accepted = 0;
    for (int i = 0; i < 20 && limited == null; i++) {
      HttpResponse<String> response = post(busy, "r" + i);
      if (response.statusCode() == 429) {
        limited = response;
      } else {
        assertThat(response.statusCode()).isEqualTo(202);
        accepted++;
      }
    }

    assertThat(accepted).isGreaterThanOrEqualTo(3);
    assertThat(limited).isNotNull();
    assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(limited.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(post(calm, "c0").statusCode()).isEqualTo(202);
  }

  @Test
  void aTenantWithTooLargeAnOutboxBacklogIsSlowedDown() throws Exception {
    String flooded = key("flooded");
    String other = key("other");
    // events that cannot go out for an hour: a backlog of 10 against a limit of 5
    Blocking.await(
        app.pool()
            .query(
                "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic,"
                    + " payload, next_attempt_at) SELECT 'flooded', 'stuck-' || n, 'stuck', '{}',"
                    + " now() + interval '1 hour' FROM generate_series(1, 10) n")
            .execute(),
        Duration.ofSeconds(10));

    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(1100))
        .until(() -> post(flooded, "f-" + System.nanoTime()).statusCode() == 429);
    HttpResponse<String> slowed = post(flooded, "f-last");
    assertThat(slowed.statusCode()).isEqualTo(429);
    assertThat(slowed.body()).contains("waiting to be published");
    assertThat(post(other, "o-1").statusCode()).isEqualTo(202);
  }

  private static String key(String tenant) throws Exception {
    Tenants tenants = new Tenants(app.pool());
    Blocking.await(tenants.create(tenant, null, "test"), Duration.ofSeconds(10));
    return Blocking.await(tenants.createKey(tenant, "it", "test"), Duration.ofSeconds(10))
        .getString("apiKey");
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
