package dev.soma.resilience.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.testing.AnthropicDouble;
import dev.soma.resilience.testing.OpenAiDouble;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.Yaml;

/**
 * The service against {@code docs/openapi.yaml}: the routes its router serves are exactly the
 * document's operations, and every response of a set of valid and invalid calls to every operation
 * is one the document describes (status listed, media type listed, JSON body matching the schema,
 * with no field the document does not name). A route or field that differs fails the build.
 */
@ExtendWith(TestServices.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenApiContractIT {

  private static final String ADMIN = "admin-token-for-contract-0123456789";
  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Vertx doubles = Vertx.vertx();
  private static final Set<String> exercised = ConcurrentHashMap.newKeySet();
  private static OpenAiDouble openai;
  private static AnthropicDouble anthropic;
  private static Application app;
  private static OpenApiDocument document;
  private static String key;

  @BeforeAll
  static void start() throws Exception {
    openai = new OpenAiDouble(doubles);
    anthropic = new AnthropicDouble(doubles);
    ServiceConfig config =
        OutboxFixture.config(
            Map.ofEntries(
                Map.entry(
                    "SA01_DATABASE_URL",
                    TestServices.databaseUrlSetting(TestServices.freshDatabase())),
                Map.entry("SA01_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap()),
                Map.entry("SA01_REDIS_URL", TestServices.redis().toString()),
                Map.entry("SA01_HTTP_PORT", "0"),
                Map.entry("SA01_DATA_DIR", TestServices.tempDir("contract").toString()),
                Map.entry("SA01_ADMIN_TOKEN", ADMIN),
                Map.entry("SA01_LLM_OPENAI_BASE_URL", openai.baseUrl()),
                Map.entry("SA01_LLM_OPENAI_API_KEY", "sk-openai-test"),
                Map.entry("SA01_LLM_ANTHROPIC_BASE_URL", anthropic.baseUrl()),
                Map.entry("SA01_LLM_ANTHROPIC_API_KEY", "sk-ant-test"),
                Map.entry("SA01_LLM_OPENROUTER_API_KEY", ""),
                Map.entry("SA01_LLM_REQUEST_TIMEOUT_MS", "3000"),
                Map.entry("SA01_AUDIO_TIMEOUT_MS", "1000"),
                Map.entry("SA01_API_RATE_LIMIT_PER_SECOND", "10000"),
                Map.entry("SA01_API_RATE_LIMIT_BURST", "10000")));
    app = Application.start(config, Application.Role.SERVICE);
    document = OpenApiDocument.load(app.vertx());
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      app.close();
    }
    Blocking.await(doubles.close(), Duration.ofSeconds(10));
  }

  @Test
  @Order(1)
  void everyRouteTheServiceServesIsInTheDocumentAndEveryOperationIsServed() {
    Set<String> served = new TreeSet<>();
    for (Route route : app.httpRoutes()) {
      if (route.getPath() == null || route.methods() == null || route.methods().isEmpty()) {
        continue; // handlers for many routes (body limits, the tenant gate, 404): not operations
      }
      String template = route.getPath().replaceAll(":(\\w+)", "{$1}");
      for (HttpMethod method : route.methods()) {
        served.add(method.name() + " " + template);
      }
    }

    assertThat(served)
        .as("served routes (left) against the document's operations")
        .containsExactlyInAnyOrderElementsOf(document.operationNames());
  }

  @Test
  @Order(2)
  void publicEndpointsAnswerAsDocumented() throws Exception {
    call("GET", "/health/live", null, null, null);
    call("GET", "/health/ready", null, null, null);
    call("GET", "/metrics", null, null, null);
    call("GET", "/v1/status", null, null, null);
  }

  @Test
  @Order(2)
  void theDocumentIsServedAsYamlWithoutAKey() throws Exception {
    HttpResponse<String> yaml = call("GET", "/openapi.yaml", null, null, null);

    assertThat(yaml.statusCode()).isEqualTo(200);
    assertThat(yaml.headers().firstValue("Content-Type")).hasValue("application/yaml");
    Map<String, Object> parsed = new Yaml().load(yaml.body());
    assertThat(parsed).containsEntry("openapi", "3.1.0").containsKey("paths");
  }

  @Test
  @Order(2)
  void swaggerUiIsServedFromTheServiceItselfWithoutAKey() throws Exception {
    HttpResponse<String> page = call("GET", "/docs", null, null, null);

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("swagger-ui-bundle.js").doesNotContain("//");
    HttpResponse<String> initializer =
        call("GET", "/docs/swagger-initializer.js", null, null, null);
    assertThat(initializer.body()).contains("url: \"/openapi.yaml\"").doesNotContain("http");
    for (String asset :
        List.of(
            "swagger-ui-bundle.js",
            "swagger-ui-standalone-preset.js",
            "swagger-ui.css",
            "index.css",
            "favicon-32x32.png")) {
      HttpResponse<String> served = call("GET", "/docs/" + asset, null, null, null);
      assertThat(served.statusCode()).as(asset).isEqualTo(200);
      assertThat(served.body()).as(asset).isNotEmpty();
    }
    assertThat(call("GET", "/docs/swagger-ui-bundle.js", null, null, null).headers())
        .satisfies(
            h ->
                assertThat(h.firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("text/javascript")));
    assertThat(call("GET", "/docs/..%2Fopenapi.yaml", null, null, null).statusCode())
        .isEqualTo(404);
    assertThat(call("GET", "/docs/index.html", null, null, null).statusCode()).isEqualTo(404);
  }

  @Test
  @Order(2)
  void theStatusPageIsServedWithoutAKeyAndAsksForNothingElsewhere() throws Exception {
    HttpResponse<String> page = call("GET", "/status", null, null, null);

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("/status/assets/status.js").doesNotContain("http");
    assertThat(page.headers().firstValue("Content-Security-Policy"))
        .hasValueSatisfying(policy -> assertThat(policy).contains("default-src 'none'"));
    for (String asset : List.of("status.js", "status.css")) {
      HttpResponse<String> served = call("GET", "/status/assets/" + asset, null, null, null);
      assertThat(served.statusCode()).as(asset).isEqualTo(200);
      assertThat(served.body()).as(asset).isNotEmpty().doesNotContain("http:", "https:");
    }
    assertThat(call("GET", "/status/assets/index.html", null, null, null).statusCode())
        .isEqualTo(404);
  }

  @Test
  @Order(2)
  void theStatusStreamStartsWithASnapshotAndRefusesAnotherMediaType() throws Exception {
    HttpResponse<Stream<String>> stream =
        http.send(
            request("GET", "/status/events", null, null, null)
                .header("Accept", "text/event-stream")
                .build(),
            HttpResponse.BodyHandlers.ofLines());
    List<String> first;
    try (Stream<String> lines = stream.body()) {
      first = lines.limit(3).toList();
    }
    String contentType = stream.headers().firstValue("Content-Type").orElse(null);
    assertThat(document.responseViolations("GET", "/status/events", 200, contentType, ""))
        .isEmpty();
    exercised.add(document.find("GET", "/status/events").orElseThrow().name());
    assertThat(first.get(1)).isEqualTo("event: snapshot");
    JsonObject snapshot = new JsonObject(first.get(2).substring("data: ".length()));
    assertThat(snapshot.getJsonObject("snapshot").getJsonObject("services")).isNotEmpty();

    HttpResponse<String> refused =
        check(
            "GET",
            "/status/events",
            http.send(
                request("GET", "/status/events", null, null, null)
                    .header("Accept", "application/json")
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
    assertThat(refused.statusCode()).isEqualTo(406);
  }

  @Test
  @Order(3)
  void adminEndpointsAnswerAsDocumented() throws Exception {
    assertThat(admin("POST", "/admin/tenants", "{\"id\":\"contract\",\"name\":\"C\"}").statusCode())
        .isEqualTo(201);
    admin("POST", "/admin/tenants", "{\"id\":\"contract\"}");
    admin("POST", "/admin/tenants", "{\"id\":\"contract\",\"colour\":\"red\"}");
    call("POST", "/admin/tenants", null, "application/json", "{\"id\":\"nokey\"}");
    HttpResponse<String> created =
        admin("POST", "/admin/tenants/contract/keys", "{\"label\":\"it\"}");
    assertThat(created.statusCode()).isEqualTo(201);
    key = new JsonObject(created.body()).getString("apiKey");
    admin("POST", "/admin/tenants/nobody/keys", null);
    HttpResponse<String> spare = admin("POST", "/admin/tenants/contract/keys", null);
    String spareId = new JsonObject(spare.body()).getString("keyId");
    assertThat(admin("DELETE", "/admin/keys/" + spareId, null).statusCode()).isEqualTo(204);
    admin("DELETE", "/admin/keys/" + spareId + "x", null);
    admin("GET", "/admin/tenants", null);
    admin("GET", "/admin/tenants?limit=1", null);
    admin("GET", "/admin/tenants?limit=x", null);
    // the revoked spare key is listed too, with revokedAt and revokedBy
    admin("GET", "/admin/tenants/contract/keys", null);
    admin("GET", "/admin/tenants/nobody/keys", null);
    assertThat(admin("GET", "/admin/dead-letters", null).statusCode()).isEqualTo(200);
    admin("GET", "/admin/dead-letters/987654", null);
    admin("GET", "/admin/dead-letters/x", null);
    admin("GET", "/admin/dead-letters?tenant=contract&all=true", null);
    admin("POST", "/admin/dead-letters/424242/replay", "{\"notes\":\"retry\"}");
    admin("POST", "/admin/dead-letters/not-a-number/replay", null);
    assertThat(admin("GET", "/admin/outbox/events?tenant=contract&limit=5", null).statusCode())
        .isEqualTo(200);
    admin("GET", "/admin/outbox/events?status=stuck", null);
    assertThat(admin("GET", "/admin/outbox/summary", null).statusCode()).isEqualTo(200);
    assertThat(
            admin(
                    "POST",
                    "/admin/outbox/replay",
                    "{\"ids\":[1,2],\"dryRun\":true,\"operator\":\"it\"}")
                .statusCode())
        .isEqualTo(200);
    admin("POST", "/admin/outbox/replay", "{\"ids\":[1]}");
    assertThat(
            admin(
                    "POST",
                    "/admin/outbox/replay/tenant",
                    "{\"tenantId\":\"contract\",\"status\":\"dead\",\"operator\":\"it\"}")
                .statusCode())
        .isEqualTo(200);
    admin("POST", "/admin/outbox/replay/tenant", "{\"tenantId\":\"contract\",\"to\":\"x\"}");
    assertThat(
            admin("POST", "/admin/dead-letters/replay", "{\"tenant\":\"contract\",\"dryRun\":true}")
                .statusCode())
        .isEqualTo(200);
    admin("POST", "/admin/dead-letters/replay", "{\"dryRun\":true}");
    admin("POST", "/admin/dead-letters/replay", "{\"source\":\"memory\"}");
    assertThat(
            admin(
                    "POST",
                    "/admin/dead-letters/resolve",
                    "{\"tenant\":\"contract\",\"reason\":\"x\",\"dryRun\":true}")
                .statusCode())
        .isEqualTo(200);
    admin("POST", "/admin/dead-letters/resolve", "{\"tenant\":\"contract\"}");
    HttpResponse<String> anonymous =
        check(
            "POST",
            "/admin/tenants",
            http.send(
                request("POST", "/admin/tenants", null, "application/json", "{\"id\":\"anon\"}")
                    .header("Authorization", "Bearer " + ADMIN)
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
    assertThat(anonymous.statusCode()).as("no X-Operator").isEqualTo(400);
    assertThat(admin("GET", "/admin/audit?limit=1", null).statusCode()).isEqualTo(200);
    admin("GET", "/admin/audit?cursor=nope", null);
    HttpResponse<String> breakers = admin("GET", "/admin/breakers", null);
    assertThat(breakers.statusCode()).isEqualTo(200);
    String dependency =
        new JsonObject(breakers.body())
            .getJsonArray("breakers")
            .getJsonObject(0)
            .getString("dependency");
    String breaker = "/admin/breakers/" + dependency;
    String reason = "{\"reason\":\"contract\",\"operator\":\"it\"}";
    assertThat(admin("POST", breaker + "/force-open?tenant=contract", reason).statusCode())
        .isEqualTo(200);
    assertThat(admin("POST", breaker + "/force-closed?tenant=contract", reason).statusCode())
        .isEqualTo(200);
    assertThat(admin("POST", breaker + "/release?tenant=contract", reason).statusCode())
        .isEqualTo(200);
    admin("POST", breaker + "/force-open", "{\"reason\":\"nobody acting\"}");
    admin("POST", "/admin/breakers/nowhere/release", reason);
    assertThat(admin("GET", "/admin/flags", null).statusCode()).isEqualTo(200);
    assertThat(admin("GET", "/admin/flags/llm.canary-chain", null).statusCode()).isEqualTo(200);
    admin("GET", "/admin/flags/no.such-flag", null);
    String rule = "{\"allow\":[\"contract\"],\"percentage\":5,\"operator\":\"it\"}";
    assertThat(admin("PUT", "/admin/flags/llm.canary-chain", rule).statusCode()).isEqualTo(200);
    admin("PUT", "/admin/flags/llm.canary-chain", "{\"percentage\":500}");
    admin("PUT", "/admin/flags/no.such-flag", rule);
    assertThat(admin("GET", "/admin/flags/llm.canary-chain/tenants/contract", null).statusCode())
        .isEqualTo(200);
    admin("GET", "/admin/flags/llm.canary-chain/tenants/NOT%20A%20TENANT", null);
    assertThat(admin("DELETE", "/admin/flags/llm.canary-chain", reason).statusCode())
        .isEqualTo(200);
    admin("DELETE", "/admin/flags/no.such-flag", null);
    HttpResponse<String> failovers = admin("GET", "/admin/failovers", null);
    assertThat(failovers.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(failovers.body()).getJsonArray("failovers")).isNotEmpty();
    call("GET", "/admin/failovers", null, null, null);
  }

  @Test
  @Order(4)
  void conversationEndpointsAnswerAsDocumented() throws Exception {
    String messages = "/v1/conversations/c-contract/messages";
    String message =
        "{\"messageId\":\"m-1\",\"role\":\"user\",\"content\":\"hello\","
            + "\"metadata\":{\"channel\":\"web\"},\"sessionId\":\"s-1\"}";
    assertThat(tenant("POST", messages, message).statusCode()).isEqualTo(202);
    assertThat(tenant("POST", messages, message).statusCode()).isEqualTo(409);
    tenant("POST", messages, "{\"content\":42}");
    tenant("POST", messages, "{\"content\":\"x\",\"extra\":1}");
    // the document types every field: an explicit null is not "absent"
    assertThat(tenant("POST", messages, "{\"content\":\"x\",\"messageId\":null}").statusCode())
        .isEqualTo(400);
    call("POST", messages, null, "application/json", "{\"content\":\"x\"}");
    HttpResponse<String> keyed = withKey(messages, "{\"content\":\"once\"}", "idem-1");
    assertThat(keyed.statusCode()).isEqualTo(202);
    assertThat(withKey(messages, "{\"content\":\"once\"}", "idem-1").statusCode()).isEqualTo(202);
    assertThat(withKey(messages, "{\"content\":\"twice\"}", "idem-1").statusCode()).isEqualTo(422);
    assertThat(tenant("GET", messages, null).statusCode()).isEqualTo(200);
    assertThat(tenant("GET", "/v1/conversations/c-none/messages", null).statusCode())
        .isEqualTo(404);
    tenant("GET", "/v1/conversations/has%20space/messages", null);
    String results = "/v1/conversations/c-contract/tool-results";
    assertThat(
            tenant(
                    "POST",
                    results,
                    "{\"executionId\":\"x-1\",\"toolName\":\"search\",\"status\":\"succeeded\","
                        + "\"result\":{\"hits\":3}}")
                .statusCode())
        .isEqualTo(202);
    tenant("POST", results, "{\"executionId\":\"x-1\",\"toolName\":\"search\",\"result\":1}");
    tenant("POST", results, "{\"executionId\":\"x-2\",\"toolName\":\"search\"}");
  }

  @Test
  @Order(5)
  void chatAnswersAsDocumented() throws Exception {
    String turn = "{\"conversationId\":\"c-chat\",\"message\":\"hi\",\"useCase\":\"chat\"}";
    assertThat(tenant("POST", "/v1/chat", turn).statusCode()).isEqualTo(200);
    HttpResponse<String> streamed =
        tenant(
            "POST",
            "/v1/chat",
            "{\"conversationId\":\"c-chat\",\"message\":\"again\",\"stream\":true}");
    assertThat(streamed.body()).contains("event: end");
    tenant("POST", "/v1/chat", "{\"conversationId\":\"c-chat\"}");
    // "type" belongs to WebSocket messages, not to the HTTP body
    assertThat(
            tenant(
                    "POST",
                    "/v1/chat",
                    "{\"conversationId\":\"c-chat\",\"message\":\"x\",\"type\":\"chat\"}")
                .statusCode())
        .isEqualTo(400);
    tenant("POST", "/v1/chat", "{\"conversationId\":\"c-chat\",\"message\":\"x\",\"maxTokens\":0}");
    call("POST", "/v1/chat", null, "application/json", turn);
  }

  @Test
  @Order(6)
  void theWebSocketUpgradesWithAKeyAndRefusesWithout() throws Exception {
    CompletableFuture<String> first = new CompletableFuture<>();
    WebSocket socket =
        http.newWebSocketBuilder()
            .header("Authorization", "Bearer " + key)
            .buildAsync(
                URI.create("ws://127.0.0.1:" + app.httpPort() + "/v1/ws"),
                new WebSocket.Listener() {
                  private final StringBuilder message = new StringBuilder();

                  @Override
                  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    // a long message may arrive in parts: the first message is all of them
                    message.append(data);
                    if (last) {
                      first.complete(message.toString());
                    }
                    ws.request(1);
                    return null;
                  }
                })
            .get(10, TimeUnit.SECONDS);
    exercised.add("GET /v1/ws");
    JsonObject hello = new JsonObject(first.get(10, TimeUnit.SECONDS));
    assertThat(hello.getString("type")).isEqualTo("status");
    assertThat(hello.getJsonObject("snapshot").getJsonObject("services")).isNotEmpty();
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
    call("GET", "/v1/ws", null, null, null);
  }

  @Test
  @Order(7)
  void memoryEndpointsAnswerAsDocumented() throws Exception {
    assertThat(
            tenant(
                    "POST",
                    "/v1/memories",
                    "{\"key\":\"k-1\",\"namespace\":\"notes\",\"value\":{\"fact\":\"sky\"},"
                        + "\"meta\":{\"by\":\"it\"},\"mode\":\"auto\"}")
                .statusCode())
        .isBetween(201, 202);
    tenant("POST", "/v1/memories", "{\"value\":{}}");
    assertThat(
            tenant(
                    "POST",
                    "/v1/memories/recall",
                    "{\"query\":\"sky\",\"topK\":5,\"namespace\":\"notes\",\"sessionId\":\"s-1\"}")
                .statusCode())
        .isEqualTo(200);
    tenant("POST", "/v1/memories/recall", "{\"query\":\"sky\",\"topK\":1000}");
  }

  @Test
  @Order(8)
  void mediaEndpointsAnswerAsDocumented() throws Exception {
    HttpResponse<String> stored = send("PUT", "/v1/uploads/doc-1.txt", key, "text/plain", "bytes");
    assertThat(stored.statusCode()).isBetween(201, 202);
    assertThat(tenant("GET", "/v1/uploads/doc-1.txt", null).statusCode()).isEqualTo(200);
    tenant("GET", "/v1/uploads/nothing-here", null);
    send("PUT", "/v1/uploads/empty", key, "text/plain", "");
    assertThat(tenant("POST", "/v1/speech", "{\"text\":\"hello\",\"format\":\"mp3\"}").statusCode())
        .isEqualTo(200);
    tenant("POST", "/v1/speech", "{\"text\":\"hello\",\"format\":\"flac\"}");
    send("POST", "/v1/transcriptions?language=en", key, "audio/wav", "RIFF....WAVEfmt ");
    send("POST", "/v1/transcriptions", key, "audio/wav", "");
  }

  @Test
  @Order(100)
  void everyOperationOfTheDocumentWasExercised() {
    assertThat(exercised).containsExactlyInAnyOrderElementsOf(document.operationNames());
  }

  // --- every exchange is checked against the document

  private static HttpResponse<String> tenant(String method, String path, String body)
      throws Exception {
    return call(method, path, key, body == null ? null : "application/json", body);
  }

  private static HttpResponse<String> admin(String method, String path, String body)
      throws Exception {
    return call(method, path, ADMIN, body == null ? null : "application/json", body);
  }

  private static HttpResponse<String> withKey(String path, String body, String idempotencyKey)
      throws Exception {
    return check(
        "POST",
        path,
        http.send(
            request("POST", path, key, "application/json", body)
                .header("Idempotency-Key", idempotencyKey)
                .build(),
            HttpResponse.BodyHandlers.ofString()));
  }

  private static HttpResponse<String> call(
      String method, String path, String token, String contentType, String body) throws Exception {
    return send(method, path, token, contentType, body);
  }

  private static HttpResponse<String> send(
      String method, String path, String token, String contentType, String body) throws Exception {
    return check(
        method,
        path,
        http.send(
            request(method, path, token, contentType, body).build(),
            HttpResponse.BodyHandlers.ofString()));
  }

  private static HttpRequest.Builder request(
      String method, String path, String token, String contentType, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
            .timeout(Duration.ofSeconds(20))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (ADMIN.equals(token)) {
      request.header("X-Operator", "contract-it");
    }
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return request;
  }

  private static HttpResponse<String> check(
      String method, String path, HttpResponse<String> response) {
    String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    List<String> violations =
        document.responseViolations(
            method,
            bare,
            response.statusCode(),
            response.headers().firstValue("Content-Type").orElse(null),
            response.body());
    assertThat(violations).as("%s %s answered %s", method, path, response.body()).isEmpty();
    document.find(method, bare).ifPresent(operation -> exercised.add(operation.name()));
    return response;
  }
}
