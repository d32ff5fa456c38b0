package dev.soma.resilience.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TenantKeys;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
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

/**
 * The operators' dead-letter endpoints over HTTP: list (open ones, per tenant, or all), replay (the
 * event is published again, the letter resolved, a second replay 404), all behind the admin token.
 */
@ExtendWith(TestServices.class)
class AdminDeadLettersIT {

  private static final String ADMIN = "admin-token-for-dead-letters-0123";
  private static final HttpClient http = HttpClient.newHttpClient();
  private static Application app;
  private static String tenantKey;

  @BeforeAll
  static void start() throws Exception {
    app =
        Application.start(
            OutboxFixture.config(
                Map.of(
                    "SA01_DATABASE_URL",
                    TestServices.databaseUrlSetting(TestServices.freshDatabase()),
                    "SA01_KAFKA_BOOTSTRAP_SERVERS",
                    TestServices.kafkaBootstrap(),
                    "SA01_HTTP_PORT",
                    "0",
                    "SA01_DATA_DIR",
                    TestServices.tempDir("admin-dlq").toString(),
                    "SA01_ADMIN_TOKEN",
                    ADMIN)),
            Application.Role.SERVICE);
    tenantKey = TenantKeys.create(app.pool(), "t-dlq");
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void anOperatorListsADeadLetterAndReplaysItsEventWhichIsThenPublished() throws Exception {
    String topic = TestServices.topic("admin-dlq");
    long outboxId = deadEvent("t-dlq", "dead-1", topic);
    deadEvent("t-other", "dead-2", topic);

    HttpResponse<String> listed = admin("GET", "/admin/dead-letters?tenant=t-dlq", null);

    assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
    JsonArray letters = new JsonObject(listed.body()).getJsonArray("deadLetters");
    assertThat(letters).hasSize(1);
    JsonObject letter = letters.getJsonObject(0);
    assertThat(letter.getLong("outboxId")).isEqualTo(outboxId);
    assertThat(letter.getString("dedupeKey")).isEqualTo("dead-1");
    assertThat(letter.getBoolean("resolved")).isFalse();
    long id = letter.getLong("id");

    HttpResponse<String> replayed =
        admin("POST", "/admin/dead-letters/" + id + "/replay", "{\"notes\":\"fixed\"}");

    assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(202);
    assertThat(new JsonObject(replayed.body()).getString("status")).isEqualTo("replayed");
    await().atMost(Duration.ofSeconds(30)).until(() -> "published".equals(outboxStatus(outboxId)));
    assertThat(listOf("/admin/dead-letters?tenant=t-dlq")).isEmpty();
    assertThat(listOf("/admin/dead-letters?tenant=t-dlq&all=true"))
        .singleElement()
        .satisfies(l -> assertThat(((JsonObject) l).getBoolean("resolved")).isTrue());
    assertThat(listOf("/admin/dead-letters")).as("every tenant's open letters").hasSize(1);
    HttpResponse<String> again = admin("POST", "/admin/dead-letters/" + id + "/replay", null);
    assertThat(again.statusCode()).as("replayed once only").isEqualTo(404);
    assertThat(again.headers().firstValue("Content-Type")).hasValue("application/problem+json");
  }

  @Test
  void theDeadLetterEndpointsNeedTheAdminTokenAndANumericId() throws Exception {
    assertThat(send("GET", "/admin/dead-letters", null, null).statusCode()).isEqualTo(401);
    assertThat(send("GET", "/admin/dead-letters", tenantKey, null).statusCode()).isEqualTo(401);
    assertThat(send("POST", "/admin/dead-letters/1/replay", tenantKey, null).statusCode())
        .isEqualTo(401);
    assertThat(admin("POST", "/admin/dead-letters/one/replay", null).statusCode()).isEqualTo(400);
    assertThat(admin("POST", "/admin/dead-letters/987654/replay", null).statusCode())
        .isEqualTo(404);
  }

  /** An outbox event that died, with its dead letter, as the relay leaves them. */
  private static long deadEvent(String tenant, String dedupeKey, String topic) throws Exception {
    Row row =
        Blocking.await(
            app.pool()
                .preparedQuery(
                    "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, partition_key,"
                        + " payload, status, attempts) VALUES ($1, $2, $3, 'k', '{\"n\":1}',"
                        + " 'dead', 5) RETURNING id")
                .execute(Tuple.of(tenant, dedupeKey, topic))
                .map(rows -> rows.iterator().next()),
            Duration.ofSeconds(10));
    long id = row.getLong("id");
    Blocking.await(
        app.pool()
            .preparedQuery(
                "INSERT INTO dead_letter_messages (outbox_id, tenant_id, dedupe_key, topic,"
                    + " message_key, payload, headers, error_message, error_class, attempts,"
                    + " created_at) VALUES ($1, $2, $3, $4, $2 || ':k', '{\"n\":1}', '{}',"
                    + " 'refused', 'X', 5, now())")
            .execute(Tuple.of(id, tenant, dedupeKey, topic)),
        Duration.ofSeconds(10));
    return id;
  }

  private static String outboxStatus(long id) throws Exception {
    return Blocking.await(
        app.pool()
            .preparedQuery("SELECT status FROM outbox_messages WHERE id = $1")
            .execute(Tuple.of(id))
            .map(rows -> rows.iterator().next().getString(0)),
        Duration.ofSeconds(10));
  }

  private static JsonArray listOf(String path) throws Exception {
    HttpResponse<String> response = admin("GET", path, null);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body()).getJsonArray("deadLetters");
  }

  private static HttpResponse<String> admin(String method, String path, String body)
      throws Exception {
    return send(method, path, ADMIN, body);
  }

  private static HttpResponse<String> send(String method, String path, String token, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (ADMIN.equals(token)) {
      request.header("X-Operator", "oncall-dee");
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
