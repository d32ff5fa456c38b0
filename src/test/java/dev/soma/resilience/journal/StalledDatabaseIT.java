package dev.soma.resilience.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.testing.ServiceBehindProxy;
import dev.soma.resilience.testing.TenantKeys;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A PostgreSQL that stops answering without closing anything (a partition that drops packets, a
 * frozen host), which the service reaches through a {@link dev.soma.resilience.testing.TcpProxy}
 * the test stalls: nothing is refused, every statement just waits. Writes are journaled once
 * PostgreSQL has not answered within {@code database.answerTimeoutMs} (the first one's transaction
 * still waits, and commits when the stall ends), readiness answers, and once PostgreSQL answers
 * again every write is stored once, in order.
 */
@ExtendWith(TestServices.class)
class StalledDatabaseIT {

  private static final HttpClient http = HttpClient.newHttpClient();

  /** Far beyond the answer timeout: a request that waits this long waits for the stall to end. */
  private static final Duration CLIENT_WAIT = Duration.ofSeconds(20);

  private ServiceBehindProxy service;
  private String key;

  private void start(Map<String, String> settings) throws Exception {
    service = ServiceBehindProxy.start("stalled", settings);
    key = TenantKeys.create(service.fx.pool, "acme");
  }

  @AfterEach
  void stop() throws Exception {
    if (service != null) {
      service.proxy.unstall();
      service.close();
    }
  }

  @Test
  void writesWhilePostgresqlDoesNotAnswerAreJournaledThenStoredOnceInOrder() throws Exception {
    start(
        Map.of(
            "SA01_DATABASE_ANSWER_TIMEOUT_MS", "1000", "SA01_JOURNAL_REPLAY_INTERVAL_MS", "200"));
    assertThat(post("m0").statusCode()).isEqualTo(202);

    service.proxy.stall();
    List<HttpResponse<String>> answers = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      answers.add(post("m" + i));
    }
    HttpResponse<String> ready = get("/health/ready");
    service.proxy.unstall();

    assertThat(answers)
        .allSatisfy(
            answer -> {
              assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
              assertThat(new JsonObject(answer.body()).getString("status")).isEqualTo("journaled");
            });
    assertThat(ready.statusCode()).as("ready while journaling: " + ready.body()).isEqualTo(200);
    List<String> expected = IntStream.rangeClosed(0, 6).mapToObj(i -> "m" + i).toList();
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> assertThat(column("message_id")).isEqualTo(expected));
    assertThat(events()).isEqualTo(expected.stream().map(m -> "conv:c1:" + m).toList());
  }

  @Test
  void readinessAnswersWhilePostgresqlDoesNotAnswer() throws Exception {
    // the default answer timeout, longer than the health check's own limit: readiness must not
    // wait for the pool
    start(Map.of());
    assertThat(get("/health/ready").statusCode()).isEqualTo(200);

    service.proxy.stall();
    HttpResponse<String> ready = get("/health/ready");

    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
    assertThat(new JsonObject(ready.body()).encode()).contains("\"journaling\":true");
  }

  private HttpResponse<String> post(String message) throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + service.httpPort() + "/v1/conversations/c1/messages"))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .timeout(CLIENT_WAIT)
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    new JsonObject()
                        .put("messageId", message)
                        .put("content", "hello " + message)
                        .encode()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.httpPort() + path))
            .header("Authorization", "Bearer " + key)
            .timeout(CLIENT_WAIT)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private List<String> column(String name) throws Exception {
    List<String> values = new ArrayList<>();
    for (Row row :
        service.fx.query(
            "SELECT "
                + name
                + " FROM conversation_messages WHERE conversation_id = 'c1'"
                + " ORDER BY created_at, message_id")) {
      values.add(row.getString(0));
    }
    return values;
  }

  private List<String> events() throws Exception {
    List<String> keys = new ArrayList<>();
    for (Row row :
        service.fx.query(
            "SELECT dedupe_key FROM outbox_messages WHERE partition_key = 'conv:c1' ORDER BY id")) {
      keys.add(row.getString(0));
    }
    return keys;
  }
}
