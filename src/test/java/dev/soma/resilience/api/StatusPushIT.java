package dev.soma.resilience.api;

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
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Degradation status pushed to agents: on the WebSocket (the snapshot, then every later change) and
 * on an SSE chat stream (the changes while it is open); and no status listener outlives its socket
 * or stream ({@code api_status_subscribers} on {@code /metrics}).
 */
@ExtendWith({TestServices.class, VertxExtension.class})
class StatusPushIT {

  private static final int SOCKETS = 1000;
  private static final int AT_ONCE = 50;
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
                Map.entry("SA01_DATA_DIR", TestServices.tempDir("status-push").toString()),
                Map.entry("SA01_SOMABRAIN_URL", brain.url()),
                Map.entry("SA01_SOMABRAIN_TOKEN", "brain-token"),
                Map.entry("SA01_DEGRADATION_PROBE_INTERVAL_MS", "300"),
                Map.entry("SA01_LLM_OPENAI_BASE_URL", openai.baseUrl()),
                Map.entry("SA01_LLM_OPENAI_API_KEY", "sk-openai-test"),
                Map.entry("SA01_LLM_ANTHROPIC_BASE_URL", anthropic.baseUrl()),
                Map.entry("SA01_LLM_ANTHROPIC_API_KEY", "sk-ant-test"),
                Map.entry("SA01_LLM_OPENROUTER_API_KEY", ""),
                Map.entry("SA01_LLM_REQUEST_TIMEOUT_MS", "30000"),
                Map.entry("SA01_LLM_FIRST_TOKEN_TIMEOUT_MS", "5000"),
                Map.entry("SA01_LLM_BETWEEN_TOKENS_TIMEOUT_MS", "5000"),
                Map.entry("SA01_API_RATE_LIMIT_PER_SECOND", "10000"),
                Map.entry("SA01_API_RATE_LIMIT_BURST", "10000")));
    app = Application.start(config, Application.Role.SERVICE);
    key = TenantKeys.create(app.pool(), "push");
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
    awaitSomaBrain("healthy");
  }

  @AfterEach
  void closeSockets() throws Exception {
    Blocking.await(sockets.close(), Duration.ofSeconds(10));
  }

  @Test
  void aThousandSocketsOpenedAndClosedLeaveNoStatusListenerBehind() throws Exception {
    double before = subscribers();

    for (int wave = 0; wave < SOCKETS / AT_ONCE; wave++) {
      List<Future<WebSocket>> opened =
          IntStream.range(0, AT_ONCE).mapToObj(i -> sockets.connect(wsOptions())).toList();
      Blocking.await(Future.all(opened), Duration.ofSeconds(30));
      if (wave == 0) {
        await().atMost(Duration.ofSeconds(10)).until(() -> subscribers() == before + AT_ONCE);
      }
      Blocking.await(
          Future.all(opened.stream().map(f -> f.result().close()).toList()),
          Duration.ofSeconds(30));
    }

    await().atMost(Duration.ofSeconds(20)).until(() -> subscribers() == before);
  }

  @Test
  @Timeout(value = 40, timeUnit = TimeUnit.SECONDS)
  void aChangeAfterTheSnapshotIsPushedToAnOpenSocket(VertxTestContext test) {
    Checkpoint snapshot = test.checkpoint();
    // lax: the test ends at the first such change; one more may follow before the socket closes
    Checkpoint somabrainDown = test.laxCheckpoint();
    ClientWebSocket socket = sockets.webSocket();
    // the handler is in place before the connection: the snapshot may arrive with the upgrade
    socket.textMessageHandler(
        text -> {
          JsonObject message = new JsonObject(text);
          test.verify(() -> assertThat(message.getString("type")).isEqualTo("status"));
          if (message.containsKey("snapshot")) {
            snapshot.flag();
            brain.notReady();
          } else if (isSomaBrainUnavailable(message.getJsonObject("change"))) {
            somabrainDown.flag();
          }
        });
    socket.connect(wsOptions()).onFailure(test::failNow);
  }

  @Test
  void anSseChatStreamCarriesTheStatusChangesThatHappenWhileItIsOpen() throws Exception {
    double before = subscribers();
    openai.answer(Collections.nCopies(60, "word ").toArray(String[]::new));
    openai.slowBetweenTokens(Duration.ofMillis(400));
    HttpRequest request =
        HttpRequest.newBuilder(uri("/v1/chat"))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .header("Accept", "text/event-stream")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"conversationId\":\"c-sse-status\",\"message\":\"hi\"}"))
            .build();

    List<String> events = new ArrayList<>();
    try (Stream<String> lines = http.send(request, HttpResponse.BodyHandlers.ofLines()).body()) {
      Iterator<String> it = lines.iterator();
      while (it.hasNext()) {
        String line = it.next();
        if (!line.startsWith("event: ")) {
          continue;
        }
        String event = line.substring("event: ".length());
        String data = it.next().substring("data: ".length());
        events.add(event);
        if (event.equals("token") && events.size() == 1) {
          assertThat(subscribers()).as("the stream listens while open").isEqualTo(before + 1);
          brain.notReady();
        }
        if (event.equals("status") && isSomaBrainUnavailable(new JsonObject(data))) {
          break;
        }
      }
    }

    assertThat(events).contains("token").endsWith("status").doesNotContain("end");
    // the client went away mid-stream: its listener goes with it
    await().atMost(Duration.ofSeconds(20)).until(() -> subscribers() == before);
  }

  private static boolean isSomaBrainUnavailable(JsonObject change) {
    return change != null
        && "somabrain".equals(change.getString("service"))
        && "unavailable".equals(change.getJsonObject("current").getString("state"));
  }

  private static WebSocketConnectOptions wsOptions() {
    return new WebSocketConnectOptions()
        .setHost("127.0.0.1")
        .setPort(app.httpPort())
        .setURI("/v1/ws")
        .addHeader("Authorization", "Bearer " + key);
  }

  /** {@code api_status_subscribers} as {@code /metrics} shows it. */
  private static double subscribers() throws Exception {
    return get("/metrics")
        .body()
        .lines()
        .filter(line -> line.startsWith("api_status_subscribers "))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.indexOf(' ') + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no api_status_subscribers on /metrics"));
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

  private static HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + app.httpPort() + path);
  }
}
