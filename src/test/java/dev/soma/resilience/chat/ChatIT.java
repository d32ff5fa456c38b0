package dev.soma.resilience.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.testing.AnthropicDouble;
import dev.soma.resilience.testing.OpenAiDouble;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.SomaBrainDouble;
import dev.soma.resilience.testing.TenantKeys;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Agent turns end to end: HTTP (whole and SSE) and WebSocket, with LLM and SomaBrain doubles and
 * the real PostgreSQL, Kafka and Redis.
 */
@ExtendWith(TestServices.class)
class ChatIT {

  private static final HttpClient http = HttpClient.newHttpClient();
  private static final Vertx doubles = Vertx.vertx();
  private static OpenAiDouble openai;
  private static AnthropicDouble anthropic;
  private static SomaBrainDouble brain;
  private static Application app;
  private static String key;
  private WebSocketClient sockets;

  @BeforeAll
  static void start() throws Exception {
    openai = new OpenAiDouble(doubles);
    anthropic = new AnthropicDouble(doubles);
    brain = SomaBrainDouble.start(doubles, "brain-token");
    ServiceConfig config =
        OutboxFixture.config(
            Map.ofEntries(
                Map.entry(
                    "SA01_DATABASE_URL",
                    TestServices.databaseUrlSetting(TestServices.freshDatabase())),
                Map.entry("SA01_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap()),
                Map.entry("SA01_REDIS_URL", TestServices.redis().toString()),
                Map.entry("SA01_HTTP_PORT", "0"),
                Map.entry("SA01_DATA_DIR", TestServices.tempDir("chat").toString()),
                Map.entry("SA01_SOMABRAIN_URL", brain.url()),
                Map.entry("SA01_SOMABRAIN_TOKEN", "brain-token"),
                Map.entry("SA01_DEGRADATION_PROBE_INTERVAL_MS", "300"),
                Map.entry("SA01_LLM_OPENAI_BASE_URL", openai.baseUrl()),
                Map.entry("SA01_LLM_OPENAI_API_KEY", "sk-openai-test"),
                Map.entry("SA01_LLM_ANTHROPIC_BASE_URL", anthropic.baseUrl()),
                Map.entry("SA01_LLM_ANTHROPIC_API_KEY", "sk-ant-test"),
                Map.entry("SA01_LLM_OPENROUTER_API_KEY", ""),
                Map.entry("SA01_LLM_REQUEST_TIMEOUT_MS", "3000"),
                Map.entry("SA01_LLM_FIRST_TOKEN_TIMEOUT_MS", "2000"),
                Map.entry("SA01_LLM_BETWEEN_TOKENS_TIMEOUT_MS", "2000"),
                Map.entry("SA01_LLM_BREAKER_RESET_MS", "300"),
                Map.entry("SA01_API_RATE_LIMIT_PER_SECOND", "10000"),
                Map.entry("SA01_API_RATE_LIMIT_BURST", "10000")));
    app = Application.start(config, Application.Role.SERVICE);
    key = TenantKeys.create(app.pool(), "chat");
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      app.close();
    }
    brain.close();
    Blocking.await(doubles.close(), Duration.ofSeconds(10));
  }

  @BeforeEach
  void healthy() throws Exception {
    openai.healthy();
    anthropic.healthy();
    brain.up();
    sockets = doubles.createWebSocketClient();
  }

  @Test
  void aTurnIsAnsweredStoredAndSaysWhoServedIt() throws Exception {
    String conversation = "c-" + UUID.randomUUID();
    awaitSomaBrain("healthy");

    HttpResponse<String> response =
        chat(
            "{\"conversationId\":\""
                + conversation
                + "\",\"messageId\":\"m1\",\"message\":\"hello\"}",
            false);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonObject turn = new JsonObject(response.body());
    assertThat(turn.getString("provider")).isEqualTo("openai");
    assertThat(turn.getString("content")).isEqualTo(openai.answer());
    assertThat(turn.getString("context")).isEqualTo("memory");
    assertThat(
            count(
                "SELECT count(*) FROM conversation_messages WHERE conversation_id = '"
                    + conversation
                    + "'"))
        .isEqualTo(2);
    assertThat(
            count(
                "SELECT count(*) FROM outbox_messages WHERE dedupe_key IN ('conv:"
                    + conversation
                    + ":m1', 'conv:"
                    + conversation
                    + ":m1:reply')"))
        .isEqualTo(2);
  }

  @Test
  void withTheFirstProviderDownTheTurnFailsOverTransparently() throws Exception {
    openai.down();
    try {
      HttpResponse<String> response =
          chat("{\"conversationId\":\"c-fo\",\"message\":\"hi\"}", false);

      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      JsonObject turn = new JsonObject(response.body());
      assertThat(turn.getString("provider")).isEqualTo("anthropic");
      assertThat(turn.getJsonArray("failovers")).isNotEmpty();
    } finally {
      openai.up();
    }
  }

  @Test
  void whileSomaBrainIsDownTheTurnUsesSessionContextAndSaysSo() throws Exception {
    brain.notReady();
    awaitSomaBrain("unavailable");

    HttpResponse<String> response =
        chat("{\"conversationId\":\"c-down\",\"message\":\"hi\",\"sessionId\":\"s1\"}", false);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonObject turn = new JsonObject(response.body());
    assertThat(turn.getString("context")).isEqualTo("session-only");
    assertThat(turn.getJsonArray("degraded")).contains("somabrain");
  }

  @Test
  void aStreamedTurnSendsTokensThenTheEnd() throws Exception {
    HttpResponse<String> response =
        chat("{\"conversationId\":\"c-sse\",\"message\":\"hi\",\"stream\":true}", true);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    assertThat(response.body()).contains("event: token").contains("event: end");
    assertThat(response.body().indexOf("event: token"))
        .isLessThan(response.body().indexOf("event: end"));
  }

  @Test
  void aStreamCutAfterItsFirstTokenEndsWithAPartialErrorAndKeepsWhatWasSent() throws Exception {
    openai.cutAfterTokens(1);

    HttpResponse<String> response =
        chat(
            "{\"conversationId\":\"c-cut\",\"messageId\":\"m1\",\"message\":\"hi\",\"stream\":true}",
            true);

    assertThat(response.body())
        .contains("event: token")
        .contains("event: error")
        .contains("\"partial\":true")
        .doesNotContain("event: end");
    JsonObject stored =
        Blocking.await(
            app.pool()
                .query(
                    "SELECT metadata FROM conversation_messages WHERE conversation_id = 'c-cut' AND"
                        + " role = 'assistant'")
                .execute()
                .map(rows -> rows.iterator().next().getJsonObject(0)),
            Duration.ofSeconds(10));
    assertThat(stored.getBoolean("partial")).isTrue();
  }

  @Test
  void whenNoProviderCanAnswerTheCallerGets503AndTheMessageIsKept() throws Exception {
    openai.down();
    anthropic.down();
    try {
      HttpResponse<String> response =
          chat("{\"conversationId\":\"c-none\",\"messageId\":\"m1\",\"message\":\"hi\"}", false);

      assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
      assertThat(response.headers().firstValue("Retry-After")).isPresent();
      assertThat(
              count(
                  "SELECT count(*) FROM conversation_messages WHERE conversation_id ="
                      + " 'c-none' AND role = 'user'"))
          .isEqualTo(1);
    } finally {
      openai.up();
      anthropic.up();
    }
  }

  @Test
  void theWebSocketStreamsATurnAndPushesStatus() throws Exception {
    List<JsonObject> received = new CopyOnWriteArrayList<>();
    // the handler is in place before the connection: the server's first push may arrive with
    // the upgrade, before a handler set after connect() returned would see it
    ClientWebSocket socket = sockets.webSocket();
    socket.textMessageHandler(text -> received.add(new JsonObject(text)));
    Blocking.await(
        socket.connect(
            new WebSocketConnectOptions()
                .setHost("127.0.0.1")
                .setPort(app.httpPort())
                .setURI("/v1/ws")
                .addHeader("Authorization", "Bearer " + key)),
        Duration.ofSeconds(10));

    Blocking.await(
        socket.writeTextMessage(
            new JsonObject()
                .put("type", "chat")
                .put("conversationId", "c-ws")
                .put("message", "hi")
                .encode()),
        Duration.ofSeconds(5));

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> received.stream().anyMatch(m -> m.getString("type").equals("end")));
    assertThat(received.get(0).getString("type")).isEqualTo("status");
    assertThat(received).anyMatch(m -> m.getString("type").equals("token"));
    JsonObject end =
        received.stream().filter(m -> m.getString("type").equals("end")).findFirst().orElseThrow();
    assertThat(end.getJsonObject("result").getString("provider")).isEqualTo("openai");
    Blocking.await(socket.writeTextMessage("{\"bad\":1}"), Duration.ofSeconds(5));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                received.stream()
                    .anyMatch(
                        m -> m.getString("type").equals("error") && m.getInteger("status") == 400));
    Blocking.await(socket.close(), Duration.ofSeconds(5));
  }

  private static void awaitSomaBrain(String state) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                new JsonObject(get("/v1/status").body())
                    .getJsonObject("services")
                    .getJsonObject("somabrain")
                    .getString("state")
                    .equals(state));
  }

  @Test
  void aTurnRetriedUnderItsIdempotencyKeyAfterAFailureStoresTheUsersMessageOnce() throws Exception {
    String conversation = "c-" + UUID.randomUUID();
    String body = "{\"conversationId\":\"" + conversation + "\",\"message\":\"retry me\"}";
    openai.down();
    anthropic.down();
    HttpResponse<String> failed;
    try {
      failed = chatUnderKey(body, "chat-retry-" + conversation);
    } finally {
      openai.up();
      anthropic.up();
    }
    assertThat(failed.statusCode()).as(failed.body()).isEqualTo(503);

    HttpResponse<String> retried =
        await()
            .atMost(Duration.ofSeconds(15))
            .until(
                () -> chatUnderKey(body, "chat-retry-" + conversation), r -> r.statusCode() == 200);

    assertThat(new JsonObject(retried.body()).getString("content")).isNotEmpty();
    String messages =
        "SELECT count(*) FROM conversation_messages WHERE conversation_id = '" + conversation + "'";
    assertThat(count(messages + " AND role = 'user'")).isEqualTo(1);
    assertThat(count(messages + " AND role = 'assistant'")).isEqualTo(1);
  }

  private static HttpResponse<String> chatUnderKey(String body, String idempotencyKey)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri("/v1/chat"))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", idempotencyKey)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> chat(String body, boolean stream) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri("/v1/chat"))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (stream) {
      request.header("Accept", "text/event-stream");
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
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
