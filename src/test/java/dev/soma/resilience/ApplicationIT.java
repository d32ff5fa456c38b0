package dev.soma.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.db.Transaction;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.outbox.OutboxEntry;
import dev.soma.resilience.testing.KafkaReader;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
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

/** The whole service, started as {@code java -jar} would, against real PostgreSQL and Kafka. */
@ExtendWith(TestServices.class)
class ApplicationIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static Application app;
  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    ServiceConfig config =
        OutboxFixture.config(
            Map.of(
                "SA01_DATABASE_URL", TestServices.databaseUrlSetting(TestServices.freshDatabase()),
                "SA01_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap(),
                "SA01_HTTP_PORT", "0",
                "SA01_DATA_DIR", TestServices.tempDir("app").toString()));
    app = Application.start(config, Application.Role.SERVICE);
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void listensOnTheFreePortItWasGiven() {
    assertThat(app.httpPort()).isPositive();
  }

  @Test
  void livenessIsUp() throws Exception {
    HttpResponse<String> response = get("/health/live");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(response.body()).getString("status")).isEqualTo("UP");
  }

  @Test
  void readinessIsUpOnceTheDatabaseIsMigrated() throws Exception {
    HttpResponse<String> response = get("/health/ready");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getString("status")).isEqualTo("UP");
    assertThat(body.getJsonArray("checks").stream().map(c -> ((JsonObject) c).getString("id")))
        .containsExactly("node", "postgresql");
  }

  @Test
  void metricsArePrometheusTextWithOutboxAndVertxMeters() throws Exception {
    HttpResponse<String> response = get("/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
    assertThat(response.body())
        .contains("# TYPE outbox_relay_batch_size summary")
        .contains("outbox_publish_latency_seconds")
        .containsPattern("(?m)^vertx_http_server_");
  }

  @Test
  void anEventEnqueuedThroughTheOutboxIsPublishedAndCounted() throws Exception {
    String topic = TestServices.topic("app.events");
    OutboxEntry entry =
        OutboxEntry.of("tenant-a", "order:1", topic, "order-1", new JsonObject().put("total", 3));

    boolean created =
        Blocking.await(Transaction.run(app.pool(), tx -> app.outbox().enqueue(tx, entry)), TIMEOUT);

    assertThat(created).isTrue();
    assertThat(KafkaReader.read(TestServices.kafkaBootstrap(), topic, 1, TIMEOUT))
        .extracting(record -> record.key())
        .containsExactly("tenant-a:order-1");
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(get("/metrics").body())
                    .contains("outbox_messages_published_total{topic=\"" + topic + "\"} 1.0"));
  }

  @Test
  void statusShowsEveryServiceAndTheAgentLevel() throws Exception {
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              HttpResponse<String> response = get("/v1/status");
              assertThat(response.statusCode()).isEqualTo(200);
              assertThat(response.headers().firstValue("Content-Type"))
                  .contains("application/json");
              JsonObject services = new JsonObject(response.body()).getJsonObject("services");
              assertThat(services.getJsonObject("postgresql").getString("state"))
                  .isEqualTo("healthy");
              assertThat(services.getJsonObject("kafka").getString("state")).isEqualTo("healthy");
            });
    JsonObject status = new JsonObject(get("/v1/status").body());
    assertThat(status.getString("overall")).isEqualTo("none");
    JsonObject somabrain = status.getJsonObject("services").getJsonObject("somabrain");
    assertThat(somabrain.getString("state")).isEqualTo("not_configured");
    assertThat(somabrain.getString("level")).isEqualTo("none");
    assertThat(status.getJsonObject("services").getJsonObject("memory").getString("kind"))
        .isEqualTo("capability");
    assertThat(get("/metrics").body())
        .contains("service_health_state{service=\"postgresql\"} 1.0")
        .contains("service_health_state{service=\"somabrain\"} -2.0")
        .contains("service_degradation_level{service=\"kafka\"} 0.0");
  }

  @Test
  void readinessIgnoresNonCriticalDependencies() throws Exception {
    // SomaBrain, Redis and Temporal are not configured here: the service is still ready
    assertThat(get("/health/ready").statusCode()).isEqualTo(200);
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
  }

  @Test
  void anUnknownPathIsA404Problem() throws Exception {
    HttpResponse<String> response = get("/nope");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
    JsonObject problem = new JsonObject(response.body());
    assertThat(problem.getString("type")).isEqualTo("urn:soma:problem:not-found");
    assertThat(problem.getString("title")).isEqualTo("Not found");
    assertThat(problem.getInteger("status")).isEqualTo(404);
    assertThat(problem.getString("detail")).isEqualTo("no resource at GET /nope");
    assertThat(problem.getString("instance")).isEqualTo("/nope");
  }

  private static HttpResponse<String> get(String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
