package dev.soma.resilience.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.outbox.JournaledEvent;
import dev.soma.resilience.testing.FreePort;
import dev.soma.resilience.testing.KafkaReader;
import dev.soma.resilience.testing.OpenAiDouble;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.ServiceBehindProxy;
import dev.soma.resilience.testing.TcpProxy;
import dev.soma.resilience.testing.TenantKeys;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The writes journaled besides messages, tool results and memories, while the service cannot reach
 * PostgreSQL (a {@link TcpProxy} the test cuts): a chat turn (answered by the LLM chain, both
 * messages journaled), an upload's queue entry, a degradation event. Each is answered during the
 * outage (no 5xx) and is in its table once after the replay, its events in Kafka.
 */
@ExtendWith(TestServices.class)
class JournaledKindsIT {

  private static final String TENANT = "jkinds";
  private static final HttpClient http = HttpClient.newHttpClient();
  private static final Vertx doubles = Vertx.vertx();
  private static final String EVENTS_TOPIC =
      "degradation.events.jkinds-" + UUID.randomUUID().toString().substring(0, 8);
  private static OpenAiDouble openai;
  private static ServiceBehindProxy service;
  private static OutboxFixture fx;
  private static TcpProxy proxy;
  private static Application app;
  private static Path dataDir;
  private static Path blocker;
  private static String key;

  @BeforeAll
  static void start() throws Exception {
    openai = new OpenAiDouble(doubles);
    dataDir = TestServices.tempDir("journaled-kinds");
    blocker = dataDir.resolve("blocker"); // a file where the local store wants a directory
    Files.write(blocker, new byte[0]);
    service =
        ServiceBehindProxy.start(
            "journaled-kinds",
            Map.ofEntries(
                Map.entry("SA01_DATA_DIR", dataDir.toString()),
                Map.entry("SA01_JOURNAL_REPLAY_INTERVAL_MS", "200"),
                Map.entry("SA01_REDIS_URL", "redis://127.0.0.1:" + FreePort.find()),
                Map.entry("SA01_LLM_OPENAI_BASE_URL", openai.baseUrl()),
                Map.entry("SA01_LLM_OPENAI_API_KEY", "sk-openai-test"),
                Map.entry("SA01_LLM_ANTHROPIC_API_KEY", ""),
                Map.entry("SA01_LLM_OPENROUTER_API_KEY", ""),
                Map.entry("SA01_LLM_REQUEST_TIMEOUT_MS", "3000"),
                Map.entry("SA01_STORAGE_LOCAL_DIR", blocker.resolve("objects").toString()),
                Map.entry("SA01_STORAGE_SPOOL_DIR", dataDir.resolve("spool").toString()),
                Map.entry("SA01_STORAGE_TIMEOUT_MS", "1000"),
                Map.entry("SA01_STORAGE_RETRY_INTERVAL_MS", "300"),
                Map.entry("SA01_STORAGE_BREAKER_RESET_MS", "300"),
                Map.entry("SA01_DEGRADATION_PROBE_INTERVAL_MS", "200"),
                Map.entry("SA01_DEGRADATION_PROBE_TIMEOUT_MS", "500"),
                Map.entry("SA01_DEGRADATION_EVALUATION_INTERVAL_MS", "200"),
                Map.entry("SA01_DEGRADATION_EVENTS_TOPIC", EVENTS_TOPIC),
                Map.entry("SA01_API_RATE_LIMIT_PER_SECOND", "10000"),
                Map.entry("SA01_API_RATE_LIMIT_BURST", "10000")));
    fx = service.fx;
    proxy = service.proxy;
    app = service.app;
    key = TenantKeys.create(fx.pool, TENANT);
  }

  @AfterEach
  void databaseBack() throws Exception {
    proxy.restore();
    await().atMost(Duration.ofSeconds(30)).until(() -> journalState().equals("idle"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (service != null) {
      service.close();
    }
    Blocking.await(doubles.close(), Duration.ofSeconds(10));
  }

  @Test
  void aChatTurnDuringAnOutageIsAnsweredThenBothMessagesAreStoredOnceInOrder() throws Exception {
    assertThat(chat("{\"conversationId\":\"warm\",\"message\":\"hi\"}", null).statusCode())
        .isEqualTo(200); // the key is seen valid

    proxy.cut();
    HttpResponse<String> whole =
        chat("{\"conversationId\":\"out\",\"messageId\":\"u1\",\"message\":\"hello\"}", null);
    HttpResponse<String> streamed =
        chat(
            "{\"conversationId\":\"out\",\"messageId\":\"u2\",\"message\":\"again\","
                + "\"stream\":true}",
            null);
    proxy.restore();

    assertThat(whole.statusCode()).as(whole.body()).isEqualTo(202);
    JsonObject answer = new JsonObject(whole.body());
    assertThat(answer.getString("status")).isEqualTo("journaled");
    assertThat(answer.getString("content")).isNotBlank();
    assertThat(answer.getString("provider")).isEqualTo("openai");
    assertThat(streamed.statusCode()).isEqualTo(200);
    assertThat(streamed.body()).contains("event: end").contains("\"status\":\"journaled\"");
    List<String> expected =
        List.of("conv:out:u1", "conv:out:u1:reply", "conv:out:u2", "conv:out:u2:reply");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(events("conv:out")).containsExactlyElementsOf(expected));
    assertThat(messages("out")).containsExactly("u1", "u1:reply", "u2", "u2:reply");
    assertThat(
            KafkaReader.readKey(
                    TestServices.kafkaBootstrap(),
                    "conversation.outbound",
                    TENANT + ":conv:out",
                    Duration.ofSeconds(30))
                .stream()
                .map(r -> new JsonObject(r.value()).getString("messageId"))
                .distinct())
        .containsExactly("u1:reply", "u2:reply");
  }

  @Test
  void aChatTurnUnderAKeyAnswersTheSameDuringTheOutageAndTheStoredAnswerAfter() throws Exception {
    assertThat(chat("{\"conversationId\":\"warm\",\"message\":\"hi\"}", null).statusCode())
        .isEqualTo(200);
    String turn = "{\"conversationId\":\"keyed\",\"message\":\"once only\"}";

    proxy.cut();
    HttpResponse<String> first = chat(turn, "chat-key-1");
    HttpResponse<String> again = chat(turn, "chat-key-1");
    HttpResponse<String> misused =
        chat("{\"conversationId\":\"keyed\",\"message\":\"other\"}", "chat-key-1");
    proxy.restore();

    assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
    assertThat(again.statusCode()).isEqualTo(202);
    assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    assertThat(new JsonObject(again.body())).isEqualTo(new JsonObject(first.body()));
    assertThat(misused.statusCode()).isEqualTo(422);
    await().atMost(Duration.ofSeconds(30)).until(() -> journalState().equals("idle"));
    assertThat(messages("keyed")).hasSize(2);
    HttpResponse<String> afterwards = chat(turn, "chat-key-1");
    assertThat(afterwards.statusCode()).isEqualTo(200);
    assertThat(afterwards.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    JsonObject stored = new JsonObject(first.body());
    stored.remove("status");
    assertThat(new JsonObject(afterwards.body())).isEqualTo(stored);
  }

  @Test
  void anUploadQueuedDuringAnOutageHasItsQueueEntryJournaledThenStoredWhenStorageIsBack()
      throws Exception {
    assertThat(chat("{\"conversationId\":\"warm\",\"message\":\"hi\"}", null).statusCode())
        .isEqualTo(200);

    proxy.cut();
    HttpResponse<String> upload =
        http.send(
            authorized("/v1/uploads/notes.txt")
                .header("Content-Type", "text/plain")
                .PUT(HttpRequest.BodyPublishers.ofString("remember the milk"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    proxy.restore();

    assertThat(upload.statusCode()).as(upload.body()).isEqualTo(202);
    JsonObject reply = new JsonObject(upload.body());
    assertThat(reply.getString("status")).isEqualTo("journaled");
    assertThat(reply.getString("message")).isEqualTo("upload queued");
    String uploadId = reply.getString("uploadId");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        fx.count(
                            "SELECT count(*) FROM outbox_messages WHERE tenant_id = $1"
                                + " AND topic = 'upload.retry' AND dedupe_key = $2",
                            TENANT,
                            "upload:" + uploadId))
                    .isEqualTo(1));
    assertThat(
            KafkaReader.read(
                    TestServices.kafkaBootstrap(),
                    "upload.retry",
                    records -> records.stream().anyMatch(r -> r.value().contains(uploadId)),
                    Duration.ofSeconds(30))
                .stream()
                .map(ConsumerRecord::value)
                .filter(v -> v.contains(uploadId)))
        .isNotEmpty();

    Files.delete(blocker); // the local store can write again: the queued upload is stored
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        fx.count(
                            "SELECT count(*) FROM upload_completions WHERE upload_id = $1",
                            uploadId))
                    .isEqualTo(1));
  }

  @Test
  void aDegradationEventDuringAnOutageIsJournaledThenWrittenOnceAndPublished() throws Exception {
    await().atMost(Duration.ofSeconds(30)).until(() -> state("postgresql").equals("healthy"));

    proxy.cut();
    // PostgreSQL's own transition, not only another service's: at the class's start the first
    // transitions of other services (Redis, storage) are journaled too during the cut
    await().atMost(Duration.ofSeconds(30)).until(() -> !state("postgresql").equals("healthy"));
    await().atMost(Duration.ofSeconds(30)).until(() -> journaled(JournaledEvent.DEGRADATION) > 0);
    proxy.restore();

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(degradationEvents()).anyMatch(k -> k.contains("->")));
    List<String> written = degradationEvents();
    assertThat(written).doesNotHaveDuplicates();
    List<String> postgres =
        written.stream().filter(k -> k.startsWith("degradation:postgresql")).toList();
    // read until they are there: the topic holds earlier tests' events too, so a count of records
    // could be reached before the relay published these
    List<ConsumerRecord<String, String>> published =
        KafkaReader.read(
            TestServices.kafkaBootstrap(),
            EVENTS_TOPIC,
            records -> dedupeKeys(records).containsAll(postgres),
            Duration.ofSeconds(30));
    assertThat(dedupeKeys(published)).containsAll(postgres);
  }

  private static List<String> dedupeKeys(List<ConsumerRecord<String, String>> records) {
    return records.stream()
        .map(r -> new JsonObject(r.value()).getString("dedupeKey"))
        .distinct()
        .toList();
  }

  @Test
  void aNodeThatRunsOnlyTheMonitorJournalsItsEventsAndReplaysThemItself() throws Exception {
    Path monitorData = TestServices.tempDir("journaled-kinds-monitor");
    Application monitor =
        Application.start(
            OutboxFixture.config(
                Map.ofEntries(
                    Map.entry(
                        "SA01_DATABASE_URL",
                        TestServices.databaseUrlSetting(proxy.through(fx.databaseUrl))),
                    Map.entry("SA01_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap()),
                    Map.entry("SA01_HTTP_PORT", "0"),
                    Map.entry("SA01_ROLES", "monitor"),
                    Map.entry("SA01_DATA_DIR", monitorData.toString()),
                    Map.entry("SA01_JOURNAL_REPLAY_INTERVAL_MS", "200"),
                    Map.entry("SA01_DEGRADATION_PROBE_INTERVAL_MS", "200"),
                    Map.entry("SA01_DEGRADATION_PROBE_TIMEOUT_MS", "500"),
                    Map.entry("SA01_DEGRADATION_EVALUATION_INTERVAL_MS", "200"),
                    Map.entry("SA01_DEGRADATION_EVENTS_TOPIC", EVENTS_TOPIC))),
            Application.Role.SERVICE);
    try {
      Path journal = monitorData.resolve("journal");
      proxy.cut();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> records(journal, JournaledEvent.DEGRADATION, "waiting") > 0);
      proxy.restore();

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> records(journal, JournaledEvent.DEGRADATION, "waiting") == 0);
      assertThat(records(journal, JournaledEvent.DEGRADATION, "replayed")).isPositive();
    } finally {
      proxy.restore();
      monitor.close();
    }
  }

  /** The journal's records of {@code kind} waiting for the replay (read as {@code inspect}). */
  private static long journaled(String kind) throws Exception {
    return records(dataDir.resolve("journal"), kind, "waiting");
  }

  private static long records(Path journal, String kind, String state) throws Exception {
    return JournalInspection.of(journal).getJsonArray("records").stream()
        .map(JsonObject.class::cast)
        .filter(g -> g.getString("kind").equals(kind) && g.getString("state").equals(state))
        .mapToLong(g -> g.getLong("records"))
        .sum();
  }

  private static List<String> degradationEvents() throws Exception {
    List<String> keys = new ArrayList<>();
    for (Row row :
        fx.query(
            "SELECT dedupe_key FROM outbox_messages WHERE topic = $1 AND dedupe_key LIKE"
                + " 'degradation:postgresql:%' ORDER BY id",
            EVENTS_TOPIC)) {
      keys.add(row.getString(0));
    }
    return keys;
  }

  private static List<String> events(String partition) throws Exception {
    List<String> keys = new ArrayList<>();
    for (Row row :
        fx.query(
            "SELECT dedupe_key FROM outbox_messages WHERE tenant_id = $1 AND partition_key = $2"
                + " ORDER BY id",
            TENANT,
            partition)) {
      keys.add(row.getString(0));
    }
    return keys;
  }

  private static List<String> messages(String conversation) throws Exception {
    List<String> ids = new ArrayList<>();
    for (Row row :
        fx.query(
            "SELECT message_id FROM conversation_messages WHERE tenant_id = $1 AND"
                + " conversation_id = $2 ORDER BY created_at, message_id",
            TENANT,
            conversation)) {
      ids.add(row.getString(0));
    }
    return ids;
  }

  private static String journalState() throws Exception {
    return new JsonObject(get("/v1/status").body()).getJsonObject("journal").getString("state");
  }

  private static String state(String service) throws Exception {
    JsonObject services = new JsonObject(get("/v1/status").body()).getJsonObject("services");
    JsonObject status = services == null ? null : services.getJsonObject(service);
    return status == null ? "unknown" : status.getString("state");
  }

  private static HttpResponse<String> chat(String body, String idempotencyKey) throws Exception {
    HttpRequest.Builder request =
        authorized("/v1/chat")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder authorized(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
        .header("Authorization", "Bearer " + key)
        .timeout(Duration.ofSeconds(30));
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
