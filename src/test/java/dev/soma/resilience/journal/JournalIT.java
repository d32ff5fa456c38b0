package dev.soma.resilience.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.idempotency.IdempotentRequests;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.ServiceBehindProxy;
import dev.soma.resilience.testing.TcpProxy;
import dev.soma.resilience.testing.TenantKeys;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Conversation messages while the service cannot reach PostgreSQL: journaled and answered 202
 * {@code journaled}, then replayed into the real database, each once and in order, with their
 * events and their {@code Idempotency-Key}'s answer. The service reaches its database through a
 * {@link TcpProxy} the test cuts; the test reads the database directly.
 */
@ExtendWith(TestServices.class)
class JournalIT {

  private static final HttpClient http = HttpClient.newHttpClient();
  private static ServiceBehindProxy service;
  private static OutboxFixture fx;
  private static TcpProxy proxy;
  private static Application app;
  private static String key;

  @BeforeAll
  static void start() throws Exception {
    service = ServiceBehindProxy.start("journal", Map.of("SA01_JOURNAL_REPLAY_INTERVAL_MS", "200"));
    fx = service.fx;
    proxy = service.proxy;
    app = service.app;
    key = TenantKeys.create(fx.pool, "acme");
  }

  @AfterEach
  void databaseBack() throws Exception {
    proxy.restore();
  }

  @AfterAll
  static void stop() throws Exception {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void messagesDuringAnOutageAreJournaledThenStoredOnceInOrderWithTheirEvents() throws Exception {
    assertThat(post("before", "m0", null).statusCode()).isEqualTo(202); // the key is seen valid

    proxy.cut();
    List<HttpResponse<String>> answers = new ArrayList<>();
    for (int i = 1; i <= 30; i++) {
      answers.add(post("outage", "m" + i, null));
      if (i == 15) {
        answers.add(toolResult("outage", "x15"));
      }
    }
    proxy.restore();
    HttpResponse<String> after = post("outage", "m31", null);

    assertThat(answers)
        .allSatisfy(
            answer -> {
              assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
              assertThat(new JsonObject(answer.body()).getString("status")).isEqualTo("journaled");
            });
    assertThat(after.statusCode()).isEqualTo(202);
    List<String> expected =
        new ArrayList<>(IntStream.rangeClosed(1, 31).mapToObj(i -> "conv:outage:m" + i).toList());
    expected.add(15, "tool:x15");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(events("outage")).containsExactlyElementsOf(expected));
    assertThat(messages("outage")).hasSize(31);
  }

  @Test
  void aMemoryDuringAnOutageIsJournaledThenQueuedForSomaBrain() throws Exception {
    assertThat(post("warm", "w0", null).statusCode()).isEqualTo(202);

    proxy.cut();
    HttpResponse<String> during =
        send("/v1/memories", "{\"key\":\"fav\",\"value\":{\"color\":\"green\"}}");
    proxy.restore();

    assertThat(during.statusCode()).as(during.body()).isEqualTo(202);
    assertThat(new JsonObject(during.body()).getString("status")).isEqualTo("journaled");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        Blocking.await(
                                fx.pool
                                    .query(
                                        "SELECT value FROM pending_memories WHERE tenant_id ="
                                            + " 'acme' AND memory_key = 'fav'")
                                    .execute(),
                                Duration.ofSeconds(10))
                            .rowCount())
                    .isEqualTo(1));
  }

  @Test
  void whileRecordsWaitTheNodeStaysReadyAndSaysItIsJournalingThenIdle() throws Exception {
    assertThat(post("shown", "s0", null).statusCode()).isEqualTo(202);

    proxy.cut();
    assertThat(post("shown", "s1", null).statusCode()).isEqualTo(202);
    JsonObject during = new JsonObject(get("/v1/status").body()).getJsonObject("journal");
    int ready = get("/health/ready").statusCode();
    String metrics = get("/metrics").body();
    proxy.restore();

    assertThat(during.getString("state")).isEqualTo("journaling");
    assertThat(during.getLong("records")).isGreaterThanOrEqualTo(1);
    assertThat(ready).isEqualTo(200);
    assertThat(metrics).containsPattern("(?m)^journal_records_waiting [1-9]");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        new JsonObject(get("/v1/status").body())
                            .getJsonObject("journal")
                            .getString("state"))
                    .isEqualTo("idle"));
    assertThat(get("/metrics").body()).containsPattern("(?m)^journal_replayed_total [1-9]");
  }

  @Test
  void anIdempotencyKeyJournaledAnswersTheSameDuringTheOutageAndTheStoredAnswerAfter()
      throws Exception {
    assertThat(post("keyed", "k0", null).statusCode()).isEqualTo(202);

    proxy.cut();
    HttpResponse<String> first = post("keyed", "k1", "idem-1");
    HttpResponse<String> again = post("keyed", "k1", "idem-1");
    HttpResponse<String> misused = post("keyed", "other", "idem-1");
    proxy.restore();

    assertThat(first.statusCode()).isEqualTo(202);
    assertThat(again.statusCode()).isEqualTo(202);
    assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    assertThat(new JsonObject(again.body())).isEqualTo(new JsonObject(first.body()));
    assertThat(misused.statusCode()).isEqualTo(422);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(messages("keyed")).containsExactly("k0", "k1"));
    HttpResponse<String> afterwards = post("keyed", "k1", "idem-1");
    assertThat(afterwards.statusCode()).isEqualTo(202);
    assertThat(afterwards.headers().firstValue("Idempotent-Replayed")).hasValue("true");
  }

  @Test
  void aKeyLeftInProgressWhenTheDatabaseWentAwayIsCompletedByTheReplay() throws Exception {
    assertThat(post("stuck", "s0", null).statusCode()).isEqualTo(202);
    // what the database keeps when it goes away between a key's begin and the request's write
    // (the request is then journaled): the key in progress, its holder still alive
    Blocking.await(
        fx.pool
            .preparedQuery(
                "INSERT INTO idempotency_records (scope, idem_key, tenant_id, request_hash,"
                    + " status, created_at, expires_at) VALUES ('http:acme', 'idem-stuck', 'acme',"
                    + " $1, 'in_progress', now(), now() + interval '1 day')")
            .execute(
                Tuple.of(
                    IdempotentRequests.fingerprint(
                        "POST",
                        "/v1/conversations/stuck/messages",
                        body("s1").getBytes(StandardCharsets.UTF_8)))),
        Duration.ofSeconds(10));

    proxy.cut();
    HttpResponse<String> during = post("stuck", "s1", "idem-stuck");
    proxy.restore();

    assertThat(during.statusCode()).isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(messages("stuck")).containsExactly("s0", "s1"));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              HttpResponse<String> retry = post("stuck", "s1", "idem-stuck");
              assertThat(retry.statusCode()).as(retry.body()).isEqualTo(202);
              assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
            });
  }

  @Test
  void aMessageIdUsedAgainDuringAnOutageIsJournaledAndTheReplayKeepsTheFirstMessage()
      throws Exception {
    String path = "/v1/conversations/reused/messages";
    assertThat(send(path, message("r1", "stored live")).statusCode()).isEqualTo(202);

    proxy.cut();
    List<HttpResponse<String>> answers =
        List.of(
            send(path, message("r1", "r1 again")),
            send(path, message("r2", "r2 first")),
            send(path, message("r2", "r2 again")));
    proxy.restore();
    HttpResponse<String> after = send(path, message("r3", "after"));

    assertThat(answers)
        .allSatisfy(
            answer -> {
              assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
              assertThat(new JsonObject(answer.body()).getString("status")).isEqualTo("journaled");
            });
    assertThat(after.statusCode()).isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(events("reused"))
                    .containsExactly("conv:reused:r1", "conv:reused:r2", "conv:reused:r3"));
    assertThat(contents("reused")).containsExactly("stored live", "r2 first", "after");
    assertThat(send(path, message("r2", "r2 once more")).statusCode()).isEqualTo(409);
  }

  private static List<String> events(String conversation) throws Exception {
    List<String> keys = new ArrayList<>();
    for (Row row :
        Blocking.await(
            fx.pool
                .preparedQuery(
                    "SELECT dedupe_key FROM outbox_messages WHERE tenant_id = 'acme' AND"
                        + " partition_key = $1 ORDER BY id")
                .execute(Tuple.of("conv:" + conversation)),
            Duration.ofSeconds(10))) {
      keys.add(row.getString(0));
    }
    return keys;
  }

  private static List<String> messages(String conversation) throws Exception {
    return column("message_id", conversation);
  }

  private static List<String> contents(String conversation) throws Exception {
    return column("content", conversation);
  }

  /** One column of the conversation's messages, in their order. */
  private static List<String> column(String name, String conversation) throws Exception {
    List<String> values = new ArrayList<>();
    for (Row row :
        Blocking.await(
            fx.pool
                .preparedQuery(
                    "SELECT "
                        + name
                        + " FROM conversation_messages WHERE tenant_id = 'acme' AND"
                        + " conversation_id = $1 ORDER BY created_at, message_id")
                .execute(Tuple.of(conversation)),
            Duration.ofSeconds(10))) {
      values.add(row.getString(0));
    }
    return values;
  }

  private static String message(String id, String content) {
    return new JsonObject().put("messageId", id).put("content", content).encode();
  }

  private static HttpResponse<String> send(String path, String json) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> toolResult(String conversation, String execution)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + app.httpPort()
                        + "/v1/conversations/"
                        + conversation
                        + "/tool-results"))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"executionId\":\""
                        + execution
                        + "\",\"toolName\":\"search\",\"result\":{\"hits\":3}}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String conversation, String message, String idemKey)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + app.httpPort()
                        + "/v1/conversations/"
                        + conversation
                        + "/messages"))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(body(message)));
    if (idemKey != null) {
      request.header("Idempotency-Key", idemKey);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String body(String message) {
    return "{\"messageId\":\"" + message + "\",\"content\":\"hello " + message + "\"}";
  }
}
