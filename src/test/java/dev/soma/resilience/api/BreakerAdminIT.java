package dev.soma.resilience.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.SomaBrainDouble;
import dev.soma.resilience.testing.TenantKeys;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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

/**
 * An operator forces the SomaBrain breaker through the admin API of the running service (a
 * SomaBrain double speaking its wire format, the real PostgreSQL and Kafka): calls are refused
 * saying an operator forced it, {@code /v1/status} and {@code /metrics} show it, the change is
 * audited, and released the breaker is automatic again; a tenant's breaker can be forced alone.
 */
@ExtendWith(TestServices.class)
class BreakerAdminIT {

  private static final String ADMIN = "admin-token-for-breakers-0123456";
  private static final String TOKEN = "somabrain-test-token";
  private static final HttpClient http = HttpClient.newHttpClient();
  private static final Vertx doubles = Vertx.vertx();
  private static SomaBrainDouble brain;
  private static Application app;

  @BeforeAll
  static void start() throws Exception {
    brain = SomaBrainDouble.start(doubles, TOKEN);
    app =
        Application.start(
            OutboxFixture.config(
                Map.ofEntries(
                    Map.entry(
                        "SA01_DATABASE_URL",
                        TestServices.databaseUrlSetting(TestServices.freshDatabase())),
                    Map.entry("SA01_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap()),
                    Map.entry("SA01_HTTP_PORT", "0"),
                    Map.entry("SA01_DATA_DIR", TestServices.tempDir("breakers").toString()),
                    Map.entry("SA01_ADMIN_TOKEN", ADMIN),
                    Map.entry("SA01_SOMABRAIN_URL", brain.url()),
                    Map.entry("SA01_SOMABRAIN_TOKEN", TOKEN),
                    Map.entry("SA01_DEGRADATION_PROBE_INTERVAL_MS", "300"))),
            Application.Role.SERVICE);
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      app.close();
    }
    brain.close();
    Blocking.await(doubles.close(), Duration.ofSeconds(10));
  }

  @Test
  void aForcedOpenDependencyRefusesCallsShowsEverywhereAndIsAutomaticAgainOnceReleased()
      throws Exception {
    String key = TenantKeys.create(app.pool(), "forced-a");
    assertThat(remember(key, "before").statusCode()).isEqualTo(201);
    assertThat(somabrain(list()).getJsonObject("override")).isNull();

    try {
      JsonObject forced =
          admin(
              "POST",
              "/admin/breakers/somabrain/force-open",
              "{\"reason\":\"SomaBrain migration\"}",
              200);
      showsForcedOpen(key, forced);
    } finally {
      send("POST", "/admin/breakers/somabrain/release", "{\"reason\":\"done\"}", "alice");
    }
    assertThat(lastAudit().getString("action")).isEqualTo("breaker.release");
    assertThat(somabrain(list()).getString("state")).isEqualTo("closed");
    assertThat(somabrain(list()).getJsonObject("override")).isNull();
    assertThat(remember(key, "after").statusCode()).isEqualTo(201);
    assertThat(metrics())
        .contains("circuit_state{service=\"somabrain\",tenant=\"_all\"} 0.0")
        .contains("circuit_forced{service=\"somabrain\",tenant=\"_all\"} 0.0");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertThat(somabrainStatus().getString("reason")).doesNotContain("forced"));
    assertThat(count("SELECT count(*) FROM breaker_overrides WHERE tenant = '_all'")).isZero();
  }

  /** What a forced-open SomaBrain breaker looks like from every side. */
  private static void showsForcedOpen(String key, JsonObject forced) throws Exception {
    assertThat(forced.getString("state")).isEqualTo("open");
    assertThat(forced.getJsonObject("override").getString("operator")).isEqualTo("alice");
    HttpResponse<String> refused = remember(key, "during");
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.body()).contains("forced open by alice: SomaBrain migration");
    JsonObject listed = somabrain(list());
    assertThat(listed.getString("state")).isEqualTo("open");
    assertThat(listed.getJsonObject("override").getString("mode")).isEqualTo("forced-open");
    assertThat(metrics())
        .contains("circuit_state{service=\"somabrain\",tenant=\"_all\"} 2.0")
        .contains("circuit_forced{service=\"somabrain\",tenant=\"_all\"} 1.0");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonObject status = somabrainStatus();
              assertThat(status.getString("state")).isEqualTo("unavailable");
              assertThat(status.getString("reason"))
                  .isEqualTo("forced open by alice: SomaBrain migration");
            });
    JsonObject audited = lastAudit();
    assertThat(audited.getString("action")).isEqualTo("breaker.forced-open");
    assertThat(audited.getString("operator")).isEqualTo("alice");
    assertThat(audited.getJsonObject("request").getString("reason"))
        .isEqualTo("SomaBrain migration");
  }

  @Test
  void aTenantsBreakerForcedOpenRefusesThatTenantOnly() throws Exception {
    String forcedKey = TenantKeys.create(app.pool(), "forced-t");
    String otherKey = TenantKeys.create(app.pool(), "free-t");

    admin("POST", "/admin/breakers/somabrain/force-open?tenant=forced-t", "{}", 200);
    try {
      assertThat(remember(forcedKey, "t-1").statusCode()).isEqualTo(503);
      assertThat(remember(otherKey, "t-1").statusCode()).isEqualTo(201);
      assertThat(metrics())
          .contains("circuit_forced{service=\"somabrain\",tenant=\"forced-t\"} 1.0");
    } finally {
      admin("POST", "/admin/breakers/somabrain/release?tenant=forced-t", "{}", 200);
    }
    assertThat(remember(forcedKey, "t-2").statusCode()).isEqualTo(201);
  }

  @Test
  void anUnknownDependencyIsA404ProblemAndAChangeNeedsAnOperator() throws Exception {
    HttpResponse<String> unknown =
        send("POST", "/admin/breakers/nowhere/force-open", "{}", "alice");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(unknown.body()).contains("nowhere").contains("somabrain");

    HttpResponse<String> nobody =
        send("POST", "/admin/breakers/somabrain/force-open?tenant=nobody-t", "{}", null);
    assertThat(nobody.statusCode()).isEqualTo(400);
    assertThat(
            count(
                "SELECT count(*) FROM breaker_overrides"
                    + " WHERE dependency = 'nowhere' OR tenant = 'nobody-t'"))
        .isZero();
  }

  // --- helpers

  private static JsonObject list() throws Exception {
    return admin("GET", "/admin/breakers", null, 200);
  }

  private static JsonObject somabrain(JsonObject listed) {
    return listed.getJsonArray("breakers").stream()
        .map(JsonObject.class::cast)
        .filter(b -> b.getString("dependency").equals("somabrain"))
        .filter(b -> b.getString("tenant").equals("_all"))
        .findFirst()
        .orElseThrow();
  }

  private static JsonObject somabrainStatus() throws Exception {
    HttpResponse<String> response = send("GET", "/v1/status", null, null);
    return new JsonObject(response.body()).getJsonObject("services").getJsonObject("somabrain");
  }

  private static JsonObject lastAudit() throws Exception {
    JsonArray entries = admin("GET", "/admin/audit?limit=1", null, 200).getJsonArray("entries");
    return entries.getJsonObject(0);
  }

  private static String metrics() throws Exception {
    return send("GET", "/metrics", null, null).body();
  }

  private static HttpResponse<String> remember(String key, String memoryKey) throws Exception {
    JsonObject body =
        new JsonObject()
            .put("key", memoryKey)
            .put("value", new JsonObject().put("content", "a memory " + memoryKey))
            .put("mode", "sync");
    return http.send(
        HttpRequest.newBuilder(uri("/v1/memories"))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject admin(String method, String path, String body, int expected)
      throws Exception {
    HttpResponse<String> response = send(method, path, body, "alice");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(expected);
    return new JsonObject(response.body());
  }

  private static HttpResponse<String> send(String method, String path, String body, String operator)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path))
            .header("Authorization", "Bearer " + ADMIN)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (operator != null) {
      request.header("X-Operator", operator);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static long count(String sql) throws Exception {
    return Blocking.await(
        app.pool().query(sql).execute().map(rows -> rows.iterator().next().getLong(0)),
        Duration.ofSeconds(10));
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + app.httpPort() + path);
  }
}
