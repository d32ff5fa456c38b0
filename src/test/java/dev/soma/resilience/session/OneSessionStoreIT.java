package dev.soma.resilience.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.testing.FreePort;
import dev.soma.resilience.testing.OpenAiDouble;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.SomaBrainDouble;
import dev.soma.resilience.testing.TenantKeys;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The agent API's long-lived parts exist once per process, whatever the number of HTTP verticle
 * instances: without Redis, one in-process session store fed by every kind of turn (messages,
 * whole, streamed and WebSocket chats); and one SomaBrain breaker. Every request here opens a new
 * connection, so requests are spread over the instances as a fresh client's would be.
 */
@ExtendWith(TestServices.class)
class OneSessionStoreIT {

  private static final Vertx doubles = Vertx.vertx();
  private static final WebClient web =
      WebClient.create(doubles, new WebClientOptions().setKeepAlive(false));
  private static OpenAiDouble openai;
  private static SomaBrainDouble brain;
  private static Application app;
  private static String key;

  @BeforeAll
  static void start() throws Exception {
    openai = new OpenAiDouble(doubles);
    brain = SomaBrainDouble.start(doubles, "brain-token");
    ServiceConfig config =
        OutboxFixture.config(
            Map.ofEntries(
                Map.entry(
                    "SA01_DATABASE_URL",
                    TestServices.databaseUrlSetting(TestServices.freshDatabase())),
                Map.entry("SA01_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap()),
                // a fixed port: instances listening on port 0 would each get a port of their own
                Map.entry("SA01_HTTP_PORT", Integer.toString(FreePort.find())),
                Map.entry("SA01_HTTP_INSTANCES", "4"),
                Map.entry("SA01_DATA_DIR", TestServices.tempDir("sessions").toString()),
                Map.entry("SA01_SOMABRAIN_URL", brain.url()),
                Map.entry("SA01_SOMABRAIN_TOKEN", "brain-token"),
                Map.entry("SA01_SOMABRAIN_BREAKER_FAILURE_THRESHOLD", "3"),
                Map.entry("SA01_DEGRADATION_PROBE_INTERVAL_MS", "60000"),
                // the monitor's own verdict would also stop calls: leave that to the breaker here
                Map.entry("SA01_DEGRADATION_FAILURES_TO_UNAVAILABLE", "1000"),
                Map.entry("SA01_LLM_OPENAI_BASE_URL", openai.baseUrl()),
                Map.entry("SA01_LLM_OPENAI_API_KEY", "sk-openai-test"),
                Map.entry("SA01_LLM_ANTHROPIC_API_KEY", ""),
                Map.entry("SA01_LLM_OPENROUTER_API_KEY", ""),
                Map.entry("SA01_API_RATE_LIMIT_PER_SECOND", "10000"),
                Map.entry("SA01_API_RATE_LIMIT_BURST", "10000")));
    app = Application.start(config, Application.Role.SERVICE);
    key = TenantKeys.create(app.pool(), "sessions");
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
  void everyRecallSeesEveryTurnPostedToTheSession() throws Exception {
    String session = "s-" + UUID.randomUUID();
    for (int turn = 1; turn <= 4; turn++) {
      HttpResponse<Buffer> posted =
          post(
              "/v1/conversations/c-" + session + "/messages",
              new JsonObject().put("content", "turn " + turn).put("sessionId", session));
      assertThat(posted.statusCode()).as(posted.bodyAsString()).isEqualTo(202);
    }

    for (int recall = 0; recall < 6; recall++) {
      assertThat(contents(session)).containsExactly("turn 1", "turn 2", "turn 3", "turn 4");
    }
  }

  @Test
  void wholeStreamedAndWebSocketTurnsAllReachTheSession() throws Exception {
    String session = "s-" + UUID.randomUUID();
    JsonObject whole = chatBody(session, "whole question");
    assertThat(post("/v1/chat", whole).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> streamed =
        post("/v1/chat", chatBody(session, "streamed question").put("stream", true));
    assertThat(streamed.bodyAsString()).contains("event: end");
    webSocketTurn(chatBody(session, "socket question"));

    String answer = openai.answer();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(contents(session))
                    .containsExactly(
                        "whole question",
                        answer,
                        "streamed question",
                        answer,
                        "socket question",
                        answer));
  }

  @Test
  void oneSomaBrainBreakerOpensForEveryInstanceAfterItsThreshold() throws Exception {
    brain.failWith(503);
    try {
      for (int call = 0; call < 3; call++) {
        post("/v1/memories/recall", new JsonObject().put("query", "anything"));
      }
      int before = brain.requests("/memory/recall");
      for (int call = 0; call < 8; call++) {
        JsonObject recalled =
            new JsonObject(
                post("/v1/memories/recall", new JsonObject().put("query", "x")).bodyAsString());
        assertThat(recalled.getBoolean("degraded")).isTrue();
      }
      assertThat(brain.requests("/memory/recall"))
          .as("calls that passed an open breaker")
          .isEqualTo(before);
      assertThat(metrics()).contains("circuit_state{service=\"somabrain\",tenant=\"_all\"} 2.0");
    } finally {
      brain.up();
    }
  }

  private static List<String> contents(String session) throws Exception {
    HttpResponse<Buffer> recalled =
        post(
            "/v1/memories/recall",
            new JsonObject().put("query", "what was said").put("sessionId", session));
    assertThat(recalled.statusCode()).as(recalled.bodyAsString()).isEqualTo(200);
    JsonArray turns = new JsonObject(recalled.bodyAsString()).getJsonArray("session");
    return turns.stream().map(t -> ((JsonObject) t).getString("content")).toList();
  }

  private static JsonObject chatBody(String session, String message) {
    return new JsonObject()
        .put("conversationId", "c-" + session)
        .put("message", message)
        .put("sessionId", session);
  }

  private static void webSocketTurn(JsonObject body) throws Exception {
    WebSocketClient sockets = doubles.createWebSocketClient();
    List<JsonObject> received = new CopyOnWriteArrayList<>();
    var socket =
        Blocking.await(
            sockets
                .webSocket()
                .textMessageHandler(text -> received.add(new JsonObject(text)))
                .connect(
                    new WebSocketConnectOptions()
                        .setHost("127.0.0.1")
                        .setPort(app.httpPort())
                        .setURI("/v1/ws")
                        .addHeader("Authorization", "Bearer " + key)),
            Duration.ofSeconds(10));
    socket.writeTextMessage(body.encode());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> received.stream().anyMatch(m -> "end".equals(m.getString("type"))));
    Blocking.await(socket.close(), Duration.ofSeconds(5));
  }

  /** A request on a connection of its own (as a new client's), so the instances take turns. */
  private static HttpResponse<Buffer> post(String path, JsonObject body) throws Exception {
    return Blocking.await(
        web.post(app.httpPort(), "127.0.0.1", path)
            .putHeader("Authorization", "Bearer " + key)
            .putHeader("Content-Type", "application/json")
            .sendJsonObject(body),
        Duration.ofSeconds(30));
  }

  private static String metrics() throws Exception {
    return Blocking.await(
            web.get(app.httpPort(), "127.0.0.1", "/metrics").send(), Duration.ofSeconds(10))
        .bodyAsString();
  }
}
