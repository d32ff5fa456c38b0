package dev.soma.resilience.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.db.Transaction;
import dev.soma.resilience.outbox.OutboxEntry;
import dev.soma.resilience.testing.OpenAiDouble;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each gated behaviour changes for one tenant while the service runs, through the admin API: the
 * relay's quota paces a flagged tenant and not another (real broker), a flagged tenant's memory is
 * queued while SomaBrain's double is up and another's goes straight in, and a canary tenant's chat
 * is answered by the canary chain's provider double while others get the normal one. Real
 * PostgreSQL and Kafka; doubles only for SomaBrain and the LLM providers.
 */
@ExtendWith(TestServices.class)
class FeatureFlagsIT {

  private static final String ADMIN = "admin-token-for-flags-0123456789";
  private static final String BRAIN_TOKEN = "brain-token";
  private static final HttpClient http = HttpClient.newHttpClient();
  private static final Vertx doubles = Vertx.vertx();
  private static OpenAiDouble openai;
  private static OpenAiDouble canary;
  private static SomaBrainDouble brain;
  private static Application app;

  @BeforeAll
  static void start() throws Exception {
    openai = new OpenAiDouble(doubles);
    canary = new OpenAiDouble(doubles, "deepseek");
    brain = SomaBrainDouble.start(doubles, BRAIN_TOKEN);
    Path dir = TestServices.tempDir("flags");
    Path file = dir.resolve("chains.json");
    Files.writeString(
        file,
        new JsonObject()
            .put(
                "llm",
                new JsonObject()
                    .put(
                        "chains",
                        new JsonObject()
                            .put("chat", "openai:gpt-4o")
                            .put("chat-canary", "deepseek:canary-model")))
            .encode());
    app =
        Application.start(
            OutboxFixture.config(
                Map.ofEntries(
                    Map.entry("SA01_CONFIG_FILE", file.toString()),
                    Map.entry(
                        "SA01_DATABASE_URL",
                        TestServices.databaseUrlSetting(TestServices.freshDatabase())),
                    Map.entry("SA01_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap()),
                    Map.entry("SA01_REDIS_URL", TestServices.redis().toString()),
                    Map.entry("SA01_HTTP_PORT", "0"),
                    Map.entry("SA01_DATA_DIR", dir.toString()),
                    Map.entry("SA01_ADMIN_TOKEN", ADMIN),
                    Map.entry("SA01_SOMABRAIN_URL", brain.url()),
                    Map.entry("SA01_SOMABRAIN_TOKEN", BRAIN_TOKEN),
                    Map.entry("SA01_DEGRADATION_PROBE_INTERVAL_MS", "300"),
                    Map.entry("SA01_LLM_OPENAI_BASE_URL", openai.baseUrl()),
                    Map.entry("SA01_LLM_OPENAI_API_KEY", "sk-openai-test"),
                    Map.entry("SA01_LLM_DEEPSEEK_BASE_URL", canary.baseUrl()),
                    Map.entry("SA01_LLM_DEEPSEEK_API_KEY", "sk-deepseek-test"),
                    Map.entry("SA01_OUTBOX_TENANT_QUOTA_ENABLED", "true"),
                    Map.entry("SA01_OUTBOX_TENANT_QUOTA_LIMIT", "50"),
                    Map.entry("SA01_OUTBOX_TENANT_QUOTA_WINDOW_SECONDS", "2"),
                    Map.entry("SA01_API_RATE_LIMIT_PER_SECOND", "10000"),
                    Map.entry("SA01_API_RATE_LIMIT_BURST", "10000"))),
            Application.Role.SERVICE);
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      app.close();
    }
    brain.close();
    openai.close();
    canary.close();
    Blocking.await(doubles.close(), Duration.ofSeconds(10));
  }

  @Test
  void theRelayQuotaPacesOnlyTheTenantsTheFlagIsOnForAndFollowsItsChanges() throws Exception {
    String topic = TestServices.topic("flags.quota");
    put("relay.tenant-quotas", rule(List.of(), 100).put("deny", new JsonArray().add("q-b")));

    enqueue("q-a", "one", topic, 200);
    enqueue("q-b", "one", topic, 200);

    awaitPublished("q-", 400);
    assertThat(span("q-a", "one")).as("200 events at 50 per 2 s").isGreaterThanOrEqualTo(3.5);
    assertThat(span("q-b", "one")).as("denied: not paced").isLessThan(1.5);

    put("relay.tenant-quotas", rule(List.of("q-b"), 0));
    enqueue("q-a", "two", topic, 200);
    enqueue("q-b", "two", topic, 200);

    awaitPublished("q-", 800);
    assertThat(span("q-b", "two")).as("now allowed: paced").isGreaterThanOrEqualTo(3.5);
    assertThat(span("q-a", "two")).as("now off the list: not paced").isLessThan(1.5);
  }

  @Test
  void aFlaggedTenantsMemoriesAreQueuedWhileSomaBrainIsUpAndOthersGoStraightIn() throws Exception {
    String flagged = TenantKeys.create(app.pool(), "m-flagged");
    String other = TenantKeys.create(app.pool(), "m-other");
    awaitSomaBrainHealthy();
    assertThat(remember(flagged, "before", null).statusCode()).isEqualTo(201);

    assertThat(put("memory.queue-first", rule(List.of("m-flagged"), 0)).statusCode())
        .isEqualTo(200);

    HttpResponse<String> queued = remember(flagged, "after", null);
    assertThat(queued.statusCode()).as(queued.body()).isEqualTo(202);
    assertThat(pendingRows("m-flagged", "after")).isEqualTo(1);
    assertThat(remember(other, "after", null).statusCode()).isEqualTo(201);
    assertThat(pendingRows("m-other", "after")).isZero();
    assertThat(remember(flagged, "asked-sync", "sync").statusCode())
        .as("a mode the request names wins")
        .isEqualTo(201);

    assertThat(delete("memory.queue-first").statusCode()).isEqualTo(200);
    // auto mode queues behind a tenant's memories still waiting: let the sync send "after" first
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                app.pool()
                        .query(
                            "SELECT count(*) FROM pending_memories WHERE tenant_id = 'm-flagged'"
                                + " AND status = 'pending'")
                        .execute()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get()
                        .iterator()
                        .next()
                        .getLong(0)
                    == 0);
    assertThat(remember(flagged, "cleared", null).statusCode()).isEqualTo(201);
    assertThat(pendingRows("m-flagged", "cleared")).isZero();
  }

  @Test
  void aCanaryTenantsChatIsAnsweredByTheCanaryChainAndOthersByTheirOwn() throws Exception {
    String tenant = TenantKeys.create(app.pool(), "c-canary");
    String other = TenantKeys.create(app.pool(), "c-other");
    assertThat(chat(tenant).getString("provider")).isEqualTo("openai");

    assertThat(put("llm.canary-chain", rule(List.of("c-canary"), 0)).statusCode()).isEqualTo(200);

    JsonObject turn = chat(tenant);
    assertThat(turn.getString("provider")).isEqualTo("deepseek");
    assertThat(turn.getString("content")).isEqualTo(canary.answer());
    assertThat(canary.requests()).isNotEmpty();
    assertThat(chat(other).getString("provider")).isEqualTo("openai");

    assertThat(delete("llm.canary-chain").statusCode()).isEqualTo(200);
    assertThat(chat(tenant).getString("provider")).isEqualTo("openai");
  }

  @Test
  void theAdminApiListsChecksAuditsAndRefusesBadInputAsProblems() throws Exception {
    JsonObject all = new JsonObject(admin("GET", "/admin/flags", null).body());
    assertThat(all.getJsonArray("flags").stream().map(f -> ((JsonObject) f).getString("name")))
        .contains("relay.tenant-quotas", "memory.queue-first", "llm.canary-chain");

    HttpResponse<String> unknown = admin("GET", "/admin/flags/no.such-flag", null);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(unknown.body()).contains("llm.canary-chain");

    for (String bad :
        List.of(
            "{\"percentage\":101}",
            "{\"allow\":[\"Not A Tenant\"],\"percentage\":0}",
            "{\"percentage\":5,\"colour\":\"red\"}",
            "{\"allow\":\"t1\",\"percentage\":5}",
            "{}")) {
      HttpResponse<String> refused = admin("PUT", "/admin/flags/llm.canary-chain", bad);
      assertThat(refused.statusCode()).as(bad).isEqualTo(400);
      assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }
    HttpResponse<String> anonymous =
        http.send(
            HttpRequest.newBuilder(uri("/admin/flags/llm.canary-chain"))
                .header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"percentage\":5}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).as("no operator").isEqualTo(400);

    JsonObject set =
        new JsonObject(
            put(
                    "memory.queue-first",
                    new JsonObject()
                        .put("deny", new JsonArray().add("acme"))
                        .put("percentage", 100)
                        .put("reason", "canary week"))
                .body());
    assertThat(set.getJsonObject("rule").getString("operator")).isEqualTo("alice");
    assertThat(
            http.send(
                    HttpRequest.newBuilder(uri("/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString())
                .body())
        .contains("feature_flag_rule{flag=\"memory.queue-first\"} 1.0")
        .contains("feature_flag_rule{flag=\"llm.canary-chain\"} 0.0");
    assertThat(check("memory.queue-first", "acme"))
        .isEqualTo(
            new JsonObject()
                .put("on", false)
                .put("reason", "deny-list")
                .put("bucket", 33)
                .put("name", "memory.queue-first")
                .put("tenant", "acme"));
    assertThat(check("memory.queue-first", "someone-else").getString("reason"))
        .isEqualTo("percentage");
    assertThat(admin("GET", "/admin/flags/memory.queue-first/tenants/Bad%20Id", null).statusCode())
        .isEqualTo(400);
    assertThat(delete("memory.queue-first").statusCode()).isEqualTo(200);
    assertThat(check("memory.queue-first", "acme").getString("reason")).isEqualTo("default");

    List<JsonObject> audit =
        Blocking.await(
                app.pool()
                    .query(
                        "SELECT action, operator, request FROM admin_audit"
                            + " WHERE request->>'name' = 'memory.queue-first' ORDER BY id DESC"
                            + " LIMIT 2")
                    .execute(),
                Duration.ofSeconds(10))
            .stream()
            .map(row -> row.toJson())
            .toList();
    assertThat(audit)
        .extracting(a -> a.getString("action"))
        .containsExactly("flag.clear", "flag.set");
    assertThat(audit.get(1).getJsonObject("request").getString("reason")).isEqualTo("canary week");
  }

  // --- helpers

  private static JsonObject rule(List<String> allow, int percentage) {
    return new JsonObject()
        .put("allow", new JsonArray(List.copyOf(allow)))
        .put("percentage", percentage);
  }

  private static HttpResponse<String> put(String flag, JsonObject body) throws Exception {
    HttpResponse<String> response = admin("PUT", "/admin/flags/" + flag, body.encode());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response;
  }

  private static HttpResponse<String> delete(String flag) throws Exception {
    return admin("DELETE", "/admin/flags/" + flag, null);
  }

  private static JsonObject check(String flag, String tenant) throws Exception {
    HttpResponse<String> response =
        admin("GET", "/admin/flags/" + flag + "/tenants/" + tenant, null);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  private static HttpResponse<String> admin(String method, String path, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path))
            .header("Authorization", "Bearer " + ADMIN)
            .header("X-Operator", "alice");
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return http.send(
        request
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void enqueue(String tenant, String batch, String topic, int n) throws Exception {
    List<OutboxEntry> entries =
        IntStream.range(0, n)
            .mapToObj(
                i ->
                    OutboxEntry.of(
                        tenant, batch + "-" + i, topic, null, new JsonObject().put("i", i)))
            .toList();
    Blocking.await(
        Transaction.run(app.pool(), tx -> app.outbox().enqueueAll(tx, entries)),
        Duration.ofSeconds(30));
  }

  private static void awaitPublished(String tenantPrefix, long n) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                count(
                        "SELECT count(*) FROM outbox_messages WHERE status = 'published'"
                            + " AND tenant_id LIKE '"
                            + tenantPrefix
                            + "%'")
                    == n);
  }

  /** Seconds from the first to the last publication of {@code tenant}'s events of {@code batch}. */
  private static double span(String tenant, String batch) throws Exception {
    return Blocking.await(
        app.pool()
            .preparedQuery(
                "SELECT extract(epoch FROM max(published_at) - min(published_at))::float8"
                    + " FROM outbox_messages WHERE tenant_id = $1 AND dedupe_key LIKE $2")
            .execute(io.vertx.sqlclient.Tuple.of(tenant, batch + "-%"))
            .map(rows -> rows.iterator().next().getDouble(0)),
        Duration.ofSeconds(10));
  }

  private static long pendingRows(String tenant, String key) throws Exception {
    return count(
        "SELECT count(*) FROM pending_memories WHERE tenant_id = '"
            + tenant
            + "' AND memory_key = '"
            + key
            + "'");
  }

  private static long count(String sql) throws Exception {
    return Blocking.await(
        app.pool().query(sql).execute().map(rows -> rows.iterator().next().getLong(0)),
        Duration.ofSeconds(10));
  }

  private static HttpResponse<String> remember(String key, String memoryKey, String mode)
      throws Exception {
    JsonObject body =
        new JsonObject()
            .put("key", memoryKey)
            .put("value", new JsonObject().put("content", "about " + memoryKey));
    if (mode != null) {
      body.put("mode", mode);
    }
    return http.send(
        HttpRequest.newBuilder(uri("/v1/memories"))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject chat(String key) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(uri("/v1/chat"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        new JsonObject()
                            .put("conversationId", "c-" + java.util.UUID.randomUUID())
                            .put("message", "hello")
                            .encode()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  private static void awaitSomaBrainHealthy() {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                new JsonObject(
                        http.send(
                                HttpRequest.newBuilder(uri("/v1/status")).GET().build(),
                                HttpResponse.BodyHandlers.ofString())
                            .body())
                    .getJsonObject("services")
                    .getJsonObject("somabrain")
                    .getString("state")
                    .equals("healthy"));
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + app.httpPort() + path);
  }
}
