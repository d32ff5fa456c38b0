package dev.soma.resilience.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SomaBrain double keeps the contract's wire format, so clients tested against it are real. */
class SomaBrainDoubleIT {

  private final HttpClient http = HttpClient.newHttpClient();
  private Vertx vertx;
  private SomaBrainDouble brain;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    brain = SomaBrainDouble.start(vertx, "tok");
  }

  @AfterEach
  void tearDown() throws Exception {
    brain.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  private HttpResponse<String> post(String path, String token, String tenant, JsonObject body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(brain.url() + path))
            .timeout(Duration.ofSeconds(5))
            .header("Content-Type", "application/json")
            .header("X-Request-ID", "req-1")
            .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (tenant != null) {
      request.header("X-Tenant-ID", tenant);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(brain.url() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject memory(String key, String text) {
    return new JsonObject()
        .put("tenant", "t1")
        .put("namespace", "agent")
        .put("key", key)
        .put("value", new JsonObject().put("content", text));
  }

  @Test
  void rememberNeedsTheBearerTokenAndARetryOverwrites() throws Exception {
    assertThat(post("/memory/remember", null, "t1", memory("k1", "x")).statusCode()).isEqualTo(401);
    assertThat(post("/memory/remember", "bad", "t1", memory("k1", "x")).statusCode())
        .isEqualTo(403);

    HttpResponse<String> first = post("/memory/remember", "tok", "t1", memory("k1", "blue sky"));
    HttpResponse<String> retry =
        post("/api/memory/remember", "tok", "t1", memory("k1", "blue sky"));

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(first.body()).getString("request_id")).isEqualTo("req-1");
    assertThat(new JsonObject(retry.body()).getBoolean("deduplicated")).isTrue();
    assertThat(brain.memoryCount()).isEqualTo(1);
    assertThat(
            post("/memory/remember", "tok", "t1", new JsonObject().put("tenant", "t1"))
                .statusCode())
        .isEqualTo(422);
  }

  @Test
  void recallSearchesTheHeaderTenantAndAnswersResults() throws Exception {
    post("/memory/remember", "tok", "t1", memory("k1", "blue sky"));

    JsonObject mine =
        new JsonObject(
            post("/memory/recall", "tok", "t1", new JsonObject().put("query", "sky")).body());
    JsonObject theirs =
        new JsonObject(
            post("/memory/recall", "tok", "t2", new JsonObject().put("query", "sky")).body());

    assertThat(mine.getJsonArray("results")).hasSize(1);
    assertThat(
            mine.getJsonArray("results")
                .getJsonObject(0)
                .getJsonObject("content")
                .getString("content"))
        .isEqualTo("blue sky");
    assertThat(theirs.getJsonArray("results")).isEmpty();
  }

  @Test
  void notReadyStillAnswersHealth200ButReadyzAndWritesSay503() throws Exception {
    brain.notReady();

    HttpResponse<String> health = get("/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(health.body()).getBoolean("ready")).isFalse();
    assertThat(get("/readyz").statusCode()).isEqualTo(503);
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    assertThat(post("/memory/remember", "tok", "t1", memory("k", "x")).statusCode()).isEqualTo(503);
  }

  @Test
  void withoutAConfiguredTokenMemoryCallsAre503() throws Exception {
    try (SomaBrainDouble open = SomaBrainDouble.start(vertx, null)) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(open.url() + "/memory/recall"))
                  .header("Authorization", "Bearer x")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"q\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(503);
    }
  }
}
