package dev.soma.resilience.api;

import static dev.soma.resilience.testing.KafkaReader.header;
import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.testing.KafkaReader;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The agent API over real HTTP, PostgreSQL and Kafka: tenancy, idempotency keys, limits. */
@ExtendWith(TestServices.class)
class AgentApiIT {

  private static final String ADMIN = "admin-token-for-tests-0123456789";
  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static Application app;
  private static String keyA;
  private static String keyB;

  @BeforeAll
  static void start() throws Exception {
    ServiceConfig config =
        OutboxFixture.config(
            Map.of(
                "SA01_DATABASE_URL",
                TestServices.databaseUrlSetting(TestServices.freshDatabase()),
                "SA01_KAFKA_BOOTSTRAP_SERVERS",
                TestServices.kafkaBootstrap(),
                "SA01_HTTP_PORT",
                "0",
                "SA01_DATA_DIR",
                TestServices.tempDir("api").toString(),
                "SA01_ADMIN_TOKEN",
                ADMIN,
                "SA01_API_RATE_LIMIT_PER_SECOND",
                "1000",
                "SA01_API_RATE_LIMIT_BURST",
                "1000",
                "SA01_API_MAX_BODY_BYTES",
                "4096"));
    app = Application.start(config, Application.Role.SERVICE);
    keyA = newTenant("tenant-a");
    keyB = newTenant("tenant-b");
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void aMessageIsStoredAndItsEventPublishedWithTheConversationKey() throws Exception {
    String conversation = "c-" + UUID.randomUUID();
    HttpResponse<String> response =
        post(
            keyA,
            "/v1/conversations/" + conversation + "/messages",
            "{\"messageId\":\"m-1\",\"content\":\"hello\"}",
            null);

    assertThat(response.statusCode()).isEqualTo(202);
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getString("eventKey")).isEqualTo("conv:" + conversation + ":m-1");
    List<ConsumerRecord<String, String>> events =
        KafkaReader.readKey(
            TestServices.kafkaBootstrap(),
            "conversation.inbound",
            "tenant-a:conv:" + conversation,
            Duration.ofSeconds(30));
    assertThat(events).hasSize(1);
    assertThat(header(events.get(0), "dedupe-key")).isEqualTo("conv:" + conversation + ":m-1");
    assertThat(new JsonObject(events.get(0).value()).getString("content")).isEqualTo("hello");
  }

  @Test
  void aToolResultIsStoredWithItsEvent() throws Exception {
    String execution = "x-" + UUID.randomUUID();
    HttpResponse<String> response =
        post(
            keyA,
            "/v1/conversations/c-9/tool-results",
            "{\"executionId\":\""
                + execution
                + "\",\"toolName\":\"search\",\"result\":{\"hits\":3}}",
            null);

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(
            count(
                "SELECT count(*) FROM outbox_messages WHERE tenant_id = 'tenant-a'"
                    + " AND dedupe_key = $1 AND topic = 'tool.results'",
                "tool:" + execution))
        .isEqualTo(1);
  }

  @Test
  void theSameIdempotencyKeyAndPayloadReplaysTheFirstAnswer() throws Exception {
    String path = "/v1/conversations/idem-" + UUID.randomUUID() + "/messages";
    String body = "{\"content\":\"only once\"}";

    HttpResponse<String> first = post(keyA, path, body, "k-1");
    HttpResponse<String> again = post(keyA, path, body, "k-1");

    assertThat(first.statusCode()).isEqualTo(202);
    assertThat(again.statusCode()).isEqualTo(202);
    assertThat(new JsonObject(again.body())).isEqualTo(new JsonObject(first.body()));
    assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    String messageId = new JsonObject(first.body()).getString("messageId");
    assertThat(count("SELECT count(*) FROM conversation_messages WHERE message_id = $1", messageId))
        .isEqualTo(1);
  }

  @Test
  void theSameIdempotencyKeyWithAnotherPayloadIs422() throws Exception {
    String path = "/v1/conversations/idem-" + UUID.randomUUID() + "/messages";
    post(keyA, path, "{\"content\":\"one\"}", "k-2");

    HttpResponse<String> other = post(keyA, path, "{\"content\":\"two\"}", "k-2");

    assertProblem(other, 422);
  }

  @Test
  void theSameIdempotencyKeyWhileTheFirstRequestRunsIs409() throws Exception {
    String path = "/v1/conversations/idem-" + UUID.randomUUID() + "/messages";
    String body = "{\"content\":\"slow\"}";
    // a first request that has begun and not finished (as if its process were still working)
    Blocking.await(
        new dev.soma.resilience.idempotency.IdempotentRequests(
                app.pool(),
                app.leaseKeeper(),
                Duration.ofHours(24),
                Duration.ofMinutes(5),
                java.time.Clock.systemUTC())
            .begin(
                "tenant-a",
                "k-3",
                dev.soma.resilience.idempotency.IdempotentRequests.fingerprint(
                    "POST", path, body.getBytes())),
        Duration.ofSeconds(10));

    assertProblem(post(keyA, path, body, "k-3"), 409);
  }

  @Test
  void idempotencyKeysAreScopedPerTenant() throws Exception {
    String path = "/v1/conversations/shared-" + UUID.randomUUID() + "/messages";

    HttpResponse<String> a = post(keyA, path, "{\"content\":\"a\"}", "same-key");
    HttpResponse<String> b = post(keyB, path, "{\"content\":\"b\"}", "same-key");

    assertThat(a.statusCode()).isEqualTo(202);
    assertThat(b.statusCode()).isEqualTo(202);
    assertThat(b.headers().firstValue("Idempotent-Replayed")).isEmpty();
  }

  @Test
  void aRequestRejectedByValidationIsNotStoredUnderItsKey() throws Exception {
    String path = "/v1/conversations/v-" + UUID.randomUUID() + "/messages";

    assertProblem(post(keyA, path, "{\"content\":42}", "k-4"), 400);
    HttpResponse<String> fixed = post(keyA, path, "{\"content\":\"42\"}", "k-4");

    assertThat(fixed.statusCode()).isEqualTo(202);
  }

  @Test
  void anotherTenantsConversationAnswersAsIfItDidNotExist() throws Exception {
    String conversation = "private-" + UUID.randomUUID();
    post(
        keyA,
        "/v1/conversations/" + conversation + "/messages",
        "{\"messageId\":\"m-1\",\"content\":\"secret\"}",
        null);

    assertThat(get(keyA, "/v1/conversations/" + conversation + "/messages").statusCode())
        .isEqualTo(200);
    HttpResponse<String> asB = get(keyB, "/v1/conversations/" + conversation + "/messages");
    assertProblem(asB, 404);
    assertThat(asB.body()).doesNotContain("secret");
    // the same ids in tenant B are B's own, not a conflict with A's
    assertThat(
            post(
                    keyB,
                    "/v1/conversations/" + conversation + "/messages",
                    "{\"messageId\":\"m-1\",\"content\":\"mine\"}",
                    null)
                .statusCode())
        .isEqualTo(202);
  }

  @Test
  void requestsWithoutAValidKeyAre401AndTenantKeysCannotUseAdminEndpoints() throws Exception {
    assertProblem(post(null, "/v1/conversations/c/messages", "{\"content\":\"x\"}", null), 401);
    assertProblem(
        post(
            "soma_0000000000000000_" + "A".repeat(43),
            "/v1/conversations/c/messages",
            "{\"content\":\"x\"}",
            null),
        401);
    assertProblem(post(keyA, "/admin/tenants", "{\"id\":\"evil\"}", null), 401);
  }

  @Test
  void aRevokedKeyStopsWorkingAtOnce() throws Exception {
    JsonObject created = new JsonObject(adminPost("/admin/tenants/tenant-a/keys", "{}").body());
    String key = created.getString("apiKey");
    assertThat(post(key, "/v1/conversations/r/messages", "{\"content\":\"x\"}", null).statusCode())
        .isEqualTo(202);

    HttpResponse<String> revoked =
        http.send(
            HttpRequest.newBuilder(uri("/admin/keys/" + created.getString("keyId")))
                .header("Authorization", "Bearer " + ADMIN)
                .header("X-Operator", "api-it")
                .DELETE()
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(revoked.statusCode()).isEqualTo(204);
    assertProblem(post(key, "/v1/conversations/r/messages", "{\"content\":\"y\"}", null), 401);
  }

  @Test
  void operatorsListTenantsPageByPageAndATenantsKeysWithoutTheirSecrets() throws Exception {
    String first = newTenant("list-1");
    newTenant("list-2");
    newTenant("list-3");
    JsonObject spare =
        new JsonObject(adminPost("/admin/tenants/list-1/keys", "{\"label\":\"spare\"}").body());
    assertThat(spare.getString("label")).isEqualTo("spare");
    assertThat(adminDelete("/admin/keys/" + spare.getString("keyId")).statusCode()).isEqualTo(204);

    JsonObject page = new JsonObject(adminGet("/admin/tenants?cursor=list-&limit=2").body());
    assertThat(page.getJsonArray("tenants").stream().map(t -> ((JsonObject) t).getString("id")))
        .containsExactly("list-1", "list-2");
    JsonObject one = page.getJsonArray("tenants").getJsonObject(0);
    assertThat(one.getLong("activeKeys")).isEqualTo(1);
    assertThat(one.getString("createdAt")).isNotBlank();
    assertThat(page.getString("nextCursor")).isEqualTo("list-2");
    JsonObject rest =
        new JsonObject(adminGet("/admin/tenants?cursor=" + page.getString("nextCursor")).body());
    assertThat(rest.getJsonArray("tenants").getJsonObject(0).getString("id")).isEqualTo("list-3");
    assertThat(rest.getValue("nextCursor")).isNull(); // fewer than the page's 500

    HttpResponse<String> keys = adminGet("/admin/tenants/list-1/keys");
    assertThat(keys.statusCode()).isEqualTo(200);
    JsonObject listed = new JsonObject(keys.body());
    assertThat(listed.getJsonArray("keys")).hasSize(2);
    JsonObject newest = listed.getJsonArray("keys").getJsonObject(0);
    assertThat(newest.getString("keyId")).isEqualTo(spare.getString("keyId"));
    assertThat(newest.getString("revokedBy")).isEqualTo("api-it");
    assertThat(newest.getString("revokedAt")).isNotBlank();
    JsonObject active = listed.getJsonArray("keys").getJsonObject(1);
    assertThat(active.containsKey("revokedAt")).isFalse();
    assertThat(active.getString("createdBy")).isEqualTo("api-it");
    // neither secret is anywhere in the answer: a key is shown whole once, when it is made
    assertThat(keys.body())
        .doesNotContain(first.substring(first.lastIndexOf('_') + 1))
        .doesNotContain(
            spare.getString("apiKey").substring(spare.getString("apiKey").lastIndexOf('_') + 1))
        .doesNotContain("apiKey")
        .doesNotContain("hash");

    JsonObject newestOnly = new JsonObject(adminGet("/admin/tenants/list-1/keys?limit=1").body());
    assertThat(newestOnly.getJsonArray("keys").getJsonObject(0).getString("keyId"))
        .isEqualTo(spare.getString("keyId"));
    JsonObject older =
        new JsonObject(
            adminGet(
                    "/admin/tenants/list-1/keys?limit=1&cursor="
                        + newestOnly.getString("nextCursor"))
                .body());
    assertThat(older.getJsonArray("keys").getJsonObject(0)).isEqualTo(active);
    assertThat(older.getValue("nextCursor")).isNull(); // an exactly full last page
    assertThat(listed.getValue("nextCursor")).isNull();

    assertProblem(adminGet("/admin/tenants/list-1/keys?cursor=zzz"), 400);
    assertProblem(adminGet("/admin/tenants/nobody/keys"), 404);
    assertProblem(adminGet("/admin/tenants?limit=0"), 400);
    assertProblem(adminGet("/admin/tenants?cursor="), 400);
    assertProblem(adminGet("/admin/tenants?colour=red"), 400);
    assertProblem(get(keyA, "/admin/tenants"), 401);
  }

  @Test
  void aTenantsCursorThatIsNoTenantIdIsABadRequest() throws Exception {
    assertProblem(adminGet("/admin/tenants?cursor=%25%25%25"), 400);
    assertProblem(adminGet("/admin/tenants?cursor=Not%20An%20Id"), 400);
  }

  @Test
  void aConversationsMessagesPageByCursorOldestFirstPastAnyLimit() throws Exception {
    for (int i = 1; i <= 5; i++) {
      String body = "{\"messageId\":\"m" + i + "\",\"content\":\"" + i + "\"}";
      assertThat(post(keyA, "/v1/conversations/paged/messages", body, null).statusCode())
          .isEqualTo(202);
    }
    List<String> seen = new java.util.ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      String path =
          "/v1/conversations/paged/messages?limit=2" + (cursor == null ? "" : "&cursor=" + cursor);
      JsonObject page = new JsonObject(get(keyA, path).body());
      assertThat(page.getString("conversationId")).isEqualTo("paged");
      page.getJsonArray("messages").forEach(m -> seen.add(((JsonObject) m).getString("messageId")));
      cursor = page.getString("nextCursor");
      pages++;
    } while (cursor != null);

    assertThat(seen).containsExactly("m1", "m2", "m3", "m4", "m5");
    assertThat(pages).isEqualTo(3);

    // written in one transaction (as a journal replay writes a batch): one creation time, so the
    // message id orders them, and a page ending inside the tie goes on after it
    Blocking.await(
        app.pool()
            .query(
                "INSERT INTO conversation_messages (tenant_id, conversation_id, message_id, role,"
                    + " content) VALUES ('tenant-a', 'tied', 'b', 'user', '2'),"
                    + " ('tenant-a', 'tied', 'c', 'user', '3'), ('tenant-a', 'tied', 'a', 'user',"
                    + " '1')")
            .execute(),
        Duration.ofSeconds(10));
    List<String> tied = new java.util.ArrayList<>();
    cursor = null;
    do {
      String path =
          "/v1/conversations/tied/messages?limit=1" + (cursor == null ? "" : "&cursor=" + cursor);
      JsonObject page = new JsonObject(get(keyA, path).body());
      page.getJsonArray("messages").forEach(m -> tied.add(((JsonObject) m).getString("messageId")));
      cursor = page.getString("nextCursor");
    } while (cursor != null);
    assertThat(tied).containsExactly("a", "b", "c");
    assertProblem(get(keyA, "/v1/conversations/paged/messages?cursor=zzz"), 400);
    assertProblem(get(keyA, "/v1/conversations/paged/messages?cursor="), 400);
    assertProblem(get(keyA, "/v1/conversations/paged/messages?curser=x"), 400);
  }

  @Test
  void anOversizedBodyIs413ProblemJson() throws Exception {
    String huge = "{\"content\":\"" + "x".repeat(10_000) + "\"}";

    HttpResponse<String> refused = post(keyA, "/v1/conversations/big/messages", huge, null);

    assertProblem(refused, 413);
    assertThat(new JsonObject(refused.body()).getString("type"))
        .as("one type for every 413, whoever refused it")
        .isEqualTo("urn:soma:problem:too-large");
  }

  @Test
  void thousandsOfMalformedRequestsNeverGetA5xxNorWriteAnything() throws Exception {
    long before =
        count("SELECT count(*) FROM conversation_messages WHERE tenant_id = $1", "tenant-a");
    List<String> bodies = MalformedBodies.generate(2000, 42);
    List<String> paths =
        List.of(
            "/v1/conversations/fuzz/messages",
            "/v1/conversations/fuzz/tool-results",
            "/v1/conversations/%2e%2e/messages",
            "/v1/conversations/" + "z".repeat(300) + "/messages");
    List<CompletableFuture<HttpResponse<String>>> responses = new java.util.ArrayList<>();
    for (int i = 0; i < bodies.size(); i++) {
      String path = paths.get(i % paths.size());
      responses.add(
          http.sendAsync(
              HttpRequest.newBuilder(uri(path))
                  .header("Authorization", "Bearer " + keyA)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i)))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
      if (responses.size() % 50 == 0) {
        CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).join();
      }
    }
    CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).join();

    for (int i = 0; i < responses.size(); i++) {
      HttpResponse<String> response = responses.get(i).join();
      assertThat(response.statusCode()).as("body %s", bodies.get(i)).isBetween(400, 499);
      assertThat(response.headers().firstValue("Content-Type"))
          .hasValue("application/problem+json");
    }
    assertThat(count("SELECT count(*) FROM conversation_messages WHERE tenant_id = $1", "tenant-a"))
        .isEqualTo(before);
  }

  // --- helpers

  private static String newTenant(String id) throws Exception {
    HttpResponse<String> tenant = adminPost("/admin/tenants", "{\"id\":\"" + id + "\"}");
    assertThat(tenant.statusCode()).isEqualTo(201);
    HttpResponse<String> key = adminPost("/admin/tenants/" + id + "/keys", "{\"label\":\"it\"}");
    assertThat(key.statusCode()).isEqualTo(201);
    return new JsonObject(key.body()).getString("apiKey");
  }

  private static HttpResponse<String> adminGet(String path) throws Exception {
    return get(ADMIN, path);
  }

  private static HttpResponse<String> adminDelete(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path))
            .header("Authorization", "Bearer " + ADMIN)
            .header("X-Operator", "api-it")
            .DELETE()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> adminPost(String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path))
            .header("Authorization", "Bearer " + ADMIN)
            .header("X-Operator", "api-it")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(
      String key, String path, String body, String idempotencyKey) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String key, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + key).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void assertProblem(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonObject problem = new JsonObject(response.body());
    assertThat(problem.getInteger("status")).isEqualTo(status);
    assertThat(problem.getString("detail")).isNotBlank();
  }

  private static long count(String sql, Object... params) throws Exception {
    return Blocking.await(
        app.pool()
            .preparedQuery(sql)
            .execute(Tuple.from(params))
            .map(rows -> rows.iterator().next().getLong(0)),
        Duration.ofSeconds(10));
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + app.httpPort() + path);
  }
}
