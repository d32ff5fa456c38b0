package dev.soma.resilience.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.tenant.Tenants;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.SomaBrainDouble;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Remember and recall through HTTP with SomaBrain up, down and back (a SomaBrain double speaking
 * its real wire format), the real PostgreSQL, Kafka and Redis.
 */
@ExtendWith(TestServices.class)
class MemoryIT {

  private static final String TOKEN = "somabrain-test-token";
  private static final HttpClient http = HttpClient.newHttpClient();
  private static final Vertx doubles = Vertx.vertx();
  private static SomaBrainDouble brain;
  private static Application app;

  @BeforeAll
  static void start() throws Exception {
    brain = SomaBrainDouble.start(doubles, TOKEN);
    ServiceConfig config =
        OutboxFixture.config(
            Map.ofEntries(
                Map.entry(
                    "SA01_DATABASE_URL",
                    TestServices.databaseUrlSetting(TestServices.freshDatabase())),
                Map.entry("SA01_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap()),
                Map.entry("SA01_REDIS_URL", TestServices.redis().toString()),
                Map.entry("SA01_HTTP_PORT", "0"),
                Map.entry("SA01_DATA_DIR", TestServices.tempDir("memory").toString()),
                Map.entry("SA01_SOMABRAIN_URL", brain.url()),
                Map.entry("SA01_SOMABRAIN_TOKEN", TOKEN),
                Map.entry("SA01_SOMABRAIN_BREAKER_RESET_SECONDS", "1"),
                Map.entry("SA01_MEMORY_AUTO_TIMEOUT_MS", "1000"),
                Map.entry("SA01_MEMORY_SYNC_INTERVAL_SECONDS", "1"),
                Map.entry("SA01_DEGRADATION_PROBE_INTERVAL_MS", "300"),
                Map.entry("SA01_API_RATE_LIMIT_PER_SECOND", "10000"),
                Map.entry("SA01_API_RATE_LIMIT_BURST", "10000")));
    app = Application.start(config, Application.Role.SERVICE);
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
  void aMemoryIsStoredAtOnceWhileSomaBrainIsUp() throws Exception {
    String key = key("up");
    upAndSeenUp();

    HttpResponse<String> response = remember(key, "up-1", "likes green tea", null);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    assertThat(new JsonObject(response.body()).getString("status")).isEqualTo("stored");
    assertThat(brain.memory("up", "wm", "up-1").getString("content")).isEqualTo("likes green tea");
    JsonObject recalled = recall(key, "green tea", null);
    assertThat(recalled.getBoolean("degraded")).isFalse();
    assertThat(recalled.getJsonArray("results"))
        .anySatisfy(r -> assertThat(((JsonObject) r).getString("source")).isEqualTo("somabrain"));
  }

  @Test
  void whileSomaBrainIsDownEveryMemoryIsAcceptedAndLaterStoredOnceInOrder() throws Exception {
    List<String> tenants = List.of("down-a", "down-b", "down-c");
    List<String> keys = new ArrayList<>();
    for (String tenant : tenants) {
      keys.add(key(tenant));
    }
    brain.down();
    List<String> expected =
        IntStream.range(0, 15).mapToObj(i -> String.format("m-%02d", i)).toList();

    for (String memoryKey : expected) {
      for (int t = 0; t < tenants.size(); t++) {
        HttpResponse<String> response =
            remember(keys.get(t), memoryKey, tenants.get(t) + " remembers " + memoryKey, null);
        assertThat(response.statusCode()).as(response.body()).isIn(201, 202);
      }
    }
    assertThat(
            count(
                "SELECT count(*) FROM pending_memories WHERE status = 'pending'"
                    + " AND tenant_id LIKE 'down-%'"))
        .isEqualTo(45);
    // while down, recall answers from the pending memories, marked degraded
    JsonObject degraded = recall(keys.get(0), "remembers m-03", null);
    assertThat(degraded.getBoolean("degraded")).isTrue();
    assertThat(degraded.getJsonArray("results")).hasSize(1);

    brain.up();

    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                count(
                        "SELECT count(*) FROM pending_memories WHERE status = 'synced'"
                            + " AND tenant_id LIKE 'down-%'")
                    == 45);
    for (String tenant : tenants) {
      assertThat(brain.writes(tenant)).as("writes of %s", tenant).isEqualTo(expected);
    }
  }

  @Test
  void aTenantNeverRecallsAnotherTenantsMemories() throws Exception {
    String alice = key("iso-a");
    String bob = key("iso-b");
    assertThat(remember(alice, "secret", "alice's locker code is 4711", "async").statusCode())
        .isEqualTo(202);
    assertThat(remember(alice, "known", "alice likes jazz", null).statusCode()).isIn(201, 202);

    JsonObject asBob = recall(bob, "alice", null);

    assertThat(asBob.getJsonArray("results")).isEmpty();
    assertThat(recall(alice, "locker", null).getJsonArray("results")).hasSize(1);
  }

  @Test
  void aMemoryInBothSomaBrainAndThePendingQueueIsRecalledOnce() throws Exception {
    String key = key("between");
    brain.up();
    // sync mode is 503 until the breaker and the status have seen SomaBrain back from other tests
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> remember(key, "b-1", "the boat is called Aurora", "sync").statusCode() == 201);
    // the moment between the memory sync's write to SomaBrain and its mark as synced
    Blocking.await(
        app.pool()
            .query(
                "INSERT INTO pending_memories (tenant_id, memory_key, namespace, value,"
                    + " next_attempt_at) VALUES ('between', 'b-1', 'wm',"
                    + " '{\"content\": \"the boat is called Aurora\"}',"
                    + " now() + interval '1 hour')")
            .execute(),
        Duration.ofSeconds(10));

    JsonObject recalled = recall(key, "Aurora", null);

    assertThat(recalled.getJsonArray("results")).hasSize(1);
    assertThat(recalled.getJsonArray("results").getJsonObject(0).getString("source"))
        .isEqualTo("somabrain");
    assertThat(recalled.getInteger("pending")).isZero();
  }

  @Test
  void syncModeWithSomaBrainDownIs503WithRetryAfter() throws Exception {
    String key = key("strict");
    brain.down();
    try {
      HttpResponse<String> response = remember(key, "s-1", "now or never", "sync");

      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.headers().firstValue("Retry-After")).isPresent();
      assertThat(count("SELECT count(*) FROM pending_memories WHERE tenant_id = 'strict'"))
          .isZero();
    } finally {
      brain.up();
    }
  }

  @Test
  void aMemorySomaBrainRejectsGoesToTheDeadLetters() throws Exception {
    String key = key("rejected");
    brain.up().failWith(422);
    try {
      HttpResponse<String> response = remember(key, "bad-1", "unacceptable", "async");
      assertThat(response.statusCode()).isEqualTo(202);

      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  count(
                          "SELECT count(*) FROM dead_letter_messages WHERE tenant_id = 'rejected'"
                              + " AND memory_id IS NOT NULL")
                      == 1);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(
                          app.meters()
                              .counter("dlq.messages", "topic", PendingMemories.DEAD_LETTER_TOPIC)
                              .count())
                      .as("dlq_messages_total counts dead memories too")
                      .isGreaterThanOrEqualTo(1.0));
    } finally {
      brain.up();
    }
  }

  @Test
  void theSameKeyInTwoNamespacesIsTwoMemoriesEachRecalledOnlyInItsOwn() throws Exception {
    String key = key("ns");
    brain.down(); // both stay in the queue: recall answers from it alone
    try {
      assertThat(rememberIn(key, "nsA", "nk", new JsonObject().put("content", "zebra in A")))
          .extracting(HttpResponse::statusCode)
          .isEqualTo(202);
      assertThat(rememberIn(key, "nsB", "nk", new JsonObject().put("content", "zebra in B")))
          .extracting(HttpResponse::statusCode)
          .isEqualTo(202);
      assertThat(rememberIn(key, null, "nk", new JsonObject().put("content", "zebra by default")))
          .extracting(HttpResponse::statusCode)
          .isEqualTo(202);

      assertThat(
              count(
                  "SELECT count(*) FROM pending_memories WHERE tenant_id = 'ns'"
                      + " AND memory_key = 'nk' AND status = 'pending'"))
          .isEqualTo(3);
      assertThat(contents(recallIn(key, "zebra", "nsA"))).containsExactly("zebra in A");
      assertThat(contents(recallIn(key, "zebra", "nsB"))).containsExactly("zebra in B");
      assertThat(contents(recallIn(key, "zebra", null))).containsExactly("zebra by default");
      assertThat(recallIn(key, "zebra", "nope").getJsonArray("results")).isEmpty();
    } finally {
      brain.up();
    }
  }

  @Test
  void aQueryMatchesTheTextOfAMemorysValuesNeverItsFieldNamesOrJsonSyntax() throws Exception {
    String key = key("text");
    brain.down();
    try {
      rememberIn(key, null, "t-1", new JsonObject().put("content", "likes green tea"));
      rememberIn(
          key,
          null,
          "t-2",
          new JsonObject()
              .put("content", "went sailing")
              .put("details", new JsonObject().put("tags", new JsonArray().add("Blue Whale"))));

      for (String syntax : List.of("content", "details", "{", ":", "\"", "tags")) {
        assertThat(recallIn(key, syntax, null).getJsonArray("results")).as(syntax).isEmpty();
      }
      assertThat(contents(recallIn(key, "GREEN", null))).containsExactly("likes green tea");
      // a string at any depth, in objects and arrays
      assertThat(contents(recallIn(key, "whale", null))).containsExactly("went sailing");
    } finally {
      brain.up();
    }
  }

  @Test
  void recallReturnsTheSessionContextWrittenByMessages() throws Exception {
    String key = key("chatty");
    brain.up();
    HttpResponse<String> posted =
        http.send(
            HttpRequest.newBuilder(uri("/v1/conversations/c1/messages"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"content\":\"my cat is called Miso\",\"sessionId\":\"s-1\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(posted.statusCode()).isEqualTo(202);

    JsonObject recalled = recall(key, "cat", "s-1");

    JsonArray session = recalled.getJsonArray("session");
    assertThat(session).hasSize(1);
    assertThat(session.getJsonObject(0).getString("content")).isEqualTo("my cat is called Miso");
    assertThat(recalled.getString("sessionStore")).isEqualTo("redis");
  }

  // --- helpers

  private static String probeKey;

  /**
   * SomaBrain up, and seen up by the service (its status and breaker), which a test that took it
   * down may have left otherwise: a probe tenant's memory is then stored at once (auto mode).
   */
  private static void upAndSeenUp() throws Exception {
    brain.up();
    if (probeKey == null) {
      probeKey = key("probe");
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> remember(probeKey, "p-1", "probe", null).statusCode() == 201);
  }

  private static String key(String tenant) throws Exception {
    Tenants tenants = new Tenants(app.pool());
    Blocking.await(tenants.create(tenant, null, "test"), Duration.ofSeconds(10));
    return Blocking.await(tenants.createKey(tenant, "it", "test"), Duration.ofSeconds(10))
        .getString("apiKey");
  }

  private static HttpResponse<String> remember(
      String key, String memoryKey, String content, String mode) throws Exception {
    JsonObject body =
        new JsonObject()
            .put("key", memoryKey)
            .put("value", new JsonObject().put("content", content));
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

  private static HttpResponse<String> rememberIn(
      String key, String namespace, String memoryKey, JsonObject value) throws Exception {
    JsonObject body = new JsonObject().put("key", memoryKey).put("value", value);
    if (namespace != null) {
      body.put("namespace", namespace);
    }
    return http.send(
        HttpRequest.newBuilder(uri("/v1/memories"))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject recallIn(String key, String query, String namespace) throws Exception {
    return recall(key, new JsonObject().put("query", query).put("namespace", namespace));
  }

  /** The recalled memories' {@code content}s, in order. */
  private static List<String> contents(JsonObject recalled) {
    List<String> contents = new ArrayList<>();
    recalled
        .getJsonArray("results")
        .forEach(r -> contents.add(((JsonObject) r).getJsonObject("content").getString("content")));
    return contents;
  }

  private static JsonObject recall(String key, String query, String session) throws Exception {
    return recall(key, new JsonObject().put("query", query).put("sessionId", session));
  }

  /** Recalls {@code body} (its null fields left out), 200 checked. */
  private static JsonObject recall(String key, JsonObject body) throws Exception {
    body.getMap().values().removeIf(java.util.Objects::isNull);
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(uri("/v1/memories/recall"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body());
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
