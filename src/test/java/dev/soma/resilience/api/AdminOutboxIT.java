package dev.soma.resilience.api;

import static dev.soma.resilience.testing.KafkaReader.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.testing.KafkaReader;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operators' outbox endpoints over HTTP against the running service (its relay included):
 * filters and cursor pages return exactly the seeded rows, bad filters are 400s, a dry run changes
 * nothing, a replay sends dead and published events again with their id, dedupe key and headers,
 * paced, resolving the dead letters and writing one audit row with the change (none when it fails),
 * and a paced replay of an aggregate's old events does not hold back its live events.
 */
@ExtendWith(TestServices.class)
class AdminOutboxIT {

  private static final String ADMIN = "admin-token-for-outbox-ops-0123";
  private static final int MAX_ROWS = 40;
  private static final HttpClient http = HttpClient.newHttpClient();
  private static Application app;

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
                    TestServices.tempDir("admin-outbox").toString(),
                    "SA01_ADMIN_TOKEN",
                    ADMIN,
                    "SA01_OUTBOX_REPLAY_RATE",
                    "1",
                    "SA01_OUTBOX_REPLAY_MAX_ROWS",
                    Integer.toString(MAX_ROWS))),
            Application.Role.SERVICE);
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void filtersAndCursorPagesReturnExactlyTheMatchingRows() throws Exception {
    String topic = TestServices.topic("ops-list");
    List<Long> dead = new ArrayList<>();
    List<Long> published = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      dead.add(row("f-a", "order-" + i, topic, "dead", 5, "2026-01-0" + (i + 1) + "T00:00:00Z"));
      published.add(row("f-a", "user-" + i, topic, "published", 1, "2026-01-01T00:00:00Z"));
    }
    row("f-b", "order-9", topic, "dead", 5, "2026-01-03T00:00:00Z");
    long held = row("f-a", "order-held", topic, "pending", 0, "2026-01-02T00:00:00Z");
    long retrying = row("f-a", "order-retry", topic, "pending", 2, "2026-01-02T00:00:00Z");
    letter(dead.get(1), "org.apache.kafka.common.errors.RecordTooLargeException");

    assertThat(ids(list("tenant=f-a&status=dead"))).isEqualTo(dead);
    assertThat(ids(list("tenant=f-a&status=published"))).isEqualTo(published);
    assertThat(ids(list("tenant=f-a&status=pending"))).containsExactly(held, retrying);
    assertThat(ids(list("tenant=f-a&status=retrying"))).containsExactly(retrying);
    assertThat(ids(list("tenant=f-a&dedupeKeyPrefix=order-&status=dead"))).isEqualTo(dead);
    assertThat(
            ids(list("tenant=f-a&from=2026-01-02T00:00:00Z&to=2026-01-04T00:00:00Z&status=dead")))
        .containsExactly(dead.get(1), dead.get(2));
    assertThat(ids(list("errorClass=org.apache.kafka.common.errors.RecordTooLargeException")))
        .containsExactly(dead.get(1));
    assertThat(ids(list("topic=" + topic + "&status=dead"))).hasSize(6);

    List<Long> paged = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonObject page =
          list("tenant=f-a&limit=3" + (cursor == null ? "" : "&cursor=" + encode(cursor)));
      paged.addAll(ids(page));
      cursor = page.getString("nextCursor");
      pages++;
    } while (cursor != null);
    assertThat(pages).isEqualTo(4);
    assertThat(paged).hasSize(12).isSorted().doesNotHaveDuplicates();
    assertThat(paged).containsAll(dead).containsAll(published).contains(held, retrying);

    JsonObject tenantA =
        admin("GET", "/admin/outbox/summary", null, 200).getJsonArray("tenants").stream()
            .map(JsonObject.class::cast)
            .filter(t -> t.getString("tenantId").equals("f-a"))
            .findFirst()
            .orElseThrow();
    assertThat(tenantA.getLong("pending")).isEqualTo(2);
    assertThat(tenantA.getLong("retrying")).isEqualTo(1);
    assertThat(tenantA.getLong("dead")).isEqualTo(5);
    assertThat(tenantA.getLong("publishedLastHour")).isEqualTo(5);
    assertThat(tenantA.getLong("oldestPendingSeconds")).isGreaterThan(86_400);
  }

  @Test
  void everyBadFilterIsA400ProblemNamingIt() throws Exception {
    for (String[] bad :
        new String[][] {
          {"status=stuck", "'status'"},
          {"from=yesterday", "'from'"},
          {"to=2026-01-01", "'to'"},
          {"from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "'from'"},
          {"cursor=bm90LWEtY3Vyc29y", "'cursor'"},
          {"limit=0", "'limit'"},
          {"limit=501", "'limit'"},
          {"tenant=", "'tenant'"},
          {"tenant=a&tenant=b", "'tenant'"},
          {"stauts=dead", "'stauts'"}
        }) {
      HttpResponse<String> response = send("GET", "/admin/outbox/events?" + bad[0], ADMIN, null);
      assertThat(response.statusCode()).as(bad[0]).isEqualTo(400);
      assertThat(response.headers().firstValue("Content-Type"))
          .hasValue("application/problem+json");
      assertThat(new JsonObject(response.body()).getString("detail")).as(bad[0]).contains(bad[1]);
    }
    assertThat(send("GET", "/admin/outbox/events", null, null).statusCode()).isEqualTo(401);
    HttpResponse<String> noOperator =
        send("POST", "/admin/outbox/replay", ADMIN, "{\"ids\":[1],\"dryRun\":true}");
    assertThat(noOperator.statusCode()).isEqualTo(400);
    assertThat(noOperator.body()).contains("X-Operator");
  }

  @Test
  void aDryRunAnswersWhatWouldBeReplayedAndChangesNothing() throws Exception {
    String topic = TestServices.topic("ops-dry");
    long dead = row("d-a", "dry-1", topic, "dead", 5, "2026-01-01T00:00:00Z");
    letter(dead, "X");
    long published = row("d-a", "dry-2", topic, "published", 1, "2026-01-01T00:00:00Z");
    long pending = row("d-a", "dry-3", topic, "pending", 0, "2026-01-01T00:00:00Z");
    String before = tables();

    JsonObject byIds =
        replay(
            "/admin/outbox/replay",
            "{\"ids\":[" + dead + "," + published + "," + pending + ",987654321],\"dryRun\":true}",
            200);
    JsonObject byFilter =
        replay("/admin/outbox/replay/tenant", "{\"tenantId\":\"d-a\",\"dryRun\":true}", 200);

    assertThat(byIds.getInteger("count")).isEqualTo(2);
    assertThat(longs(byIds.getJsonArray("ids"))).containsExactly(dead, published);
    assertThat(longs(byIds.getJsonArray("skipped"))).containsExactly(pending);
    assertThat(longs(byIds.getJsonArray("notFound"))).containsExactly(987654321L);
    assertThat(longs(byFilter.getJsonArray("ids"))).containsExactly(dead, published);
    assertThat(tables()).as("outbox and dead letters after the dry runs").isEqualTo(before);
    assertThat(auditRows("d-a", true)).isEqualTo(1);
  }

  @Test
  void replayedDeadAndPublishedEventsReachKafkaAgainWithTheirIdKeyAndHeadersPaced()
      throws Exception {
    String topic = TestServices.topic("ops-replay");
    long dead = row("r-a", "again-1", topic, "dead", 5, "2026-01-01T00:00:00Z");
    long letter = letter(dead, "X");
    long published = row("r-a", "again-2", topic, "published", 1, "2026-01-01T00:00:00Z");

    JsonObject replayed =
        replay(
            "/admin/outbox/replay",
            "{\"ids\":[" + published + "," + dead + "],\"reason\":\"consumer fixed\"}",
            200);

    assertThat(replayed.getInteger("count")).isEqualTo(2);
    List<Row> due =
        query(
            "SELECT due_at FROM outbox_replay_schedule WHERE outbox_id = ANY($1::bigint[])"
                + " ORDER BY outbox_id",
            (Object) new Long[] {dead, published});
    assertThat(Duration.between(due.get(0).getOffsetDateTime(0), due.get(1).getOffsetDateTime(0)))
        .as("a rate of 1/s puts the second row a second after the first")
        .isEqualTo(Duration.ofSeconds(1));
    List<ConsumerRecord<String, String>> records =
        KafkaReader.read(TestServices.kafkaBootstrap(), topic, 2, Duration.ofSeconds(30));
    assertThat(records).hasSize(2);
    assertThat(records)
        .extracting(
            r -> header(r, "event-id") + "/" + header(r, "dedupe-key") + "/" + header(r, "trace"))
        .containsExactlyInAnyOrder(dead + "/again-1/t-again-1", published + "/again-2/t-again-2");
    await().atMost(Duration.ofSeconds(30)).until(() -> published("r-a") == 2);
    assertThat(
            query("SELECT resolved, resolved_by FROM dead_letter_messages WHERE id = $1", letter)
                .get(0)
                .getBoolean(0))
        .isTrue();
    assertThat(auditRows("r-a", false)).isZero(); // by ids: the body names no tenant
    JsonObject entry =
        admin("GET", "/admin/audit?limit=1", null, 200).getJsonArray("entries").getJsonObject(0);
    assertThat(entry.getString("action")).isEqualTo("outbox.replay");
    assertThat(entry.getString("operator")).isEqualTo("oncall-ann");
    assertThat(entry.getLong("rowsAffected")).isEqualTo(2);
    assertThat(entry.getJsonObject("request").getString("reason")).isEqualTo("consumer fixed");
    assertThat(longs(entry.getJsonObject("request").getJsonArray("ids")))
        .as("which rows the operator chose")
        .containsExactlyInAnyOrder(dead, published);
    assertThat(entry.getJsonObject("request").getInteger("idCount")).isEqualTo(2);
  }

  @Test
  void aReplayOverTheLimitIs413AndLeavesNoAuditRowAndNoChange() throws Exception {
    String topic = TestServices.topic("ops-big");
    for (int i = 0; i <= MAX_ROWS; i++) {
      row("big", "big-" + i, topic, "dead", 5, "2026-01-01T00:00:00Z");
    }
    String before = tables();

    HttpResponse<String> refused =
        send(
            "POST",
            "/admin/outbox/replay/tenant",
            ADMIN,
            "{\"tenantId\":\"big\",\"operator\":\"oncall-bob\"}");

    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(413);
    assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(tables()).isEqualTo(before);
    assertThat(auditRows("big", false) + auditRows("big", true)).isZero();
    HttpResponse<String> pendingOnes =
        send(
            "POST",
            "/admin/outbox/replay/tenant",
            ADMIN,
            "{\"tenantId\":\"big\",\"status\":\"pending\",\"operator\":\"oncall-bob\"}");
    assertThat(pendingOnes.statusCode()).isEqualTo(400);
  }

  @Test
  void aPacedReplayOfAnAggregatesOldEventsDoesNotHoldBackItsLiveEvents() throws Exception {
    String topic = TestServices.topic("ops-live");
    int old = 30;
    for (int i = 0; i < old; i++) {
      row("live", "old-" + i, topic, "published", 1, "2026-01-01T00:00:00Z");
    }
    // rate 1/s: the replay's last row is due 29 s from now
    assertThat(
            replay("/admin/outbox/replay/tenant", "{\"tenantId\":\"live\"}", 200)
                .getInteger("count"))
        .isEqualTo(old);

    long live =
        query(
                "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, partition_key, payload)"
                    + " VALUES ('live', 'new-1', $1, 'agg', '{}') RETURNING id",
                topic)
            .get(0)
            .getLong(0);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                "published"
                    .equals(
                        query("SELECT status FROM outbox_messages WHERE id = $1", live)
                            .get(0)
                            .getString(0)));
    assertThat(
            query(
                    "SELECT count(*) FROM outbox_messages o WHERE tenant_id = 'live' AND id < $1"
                        + " AND (replayed OR EXISTS (SELECT 1 FROM outbox_replay_schedule s"
                        + " WHERE s.outbox_id = o.id))",
                    live)
                .get(0)
                .getLong(0))
        .as("older replayed rows of the aggregate still waiting for their pace")
        .isGreaterThan(0);
    assertThat(
            query(
                    "SELECT count(*) FROM outbox_messages WHERE tenant_id = 'live' AND status ="
                        + " 'pending' AND replayed")
                .get(0)
                .getLong(0))
        .as("replayed rows not due yet wait in the schedule, not as pending rows the claim reads")
        .isLessThan(old);
  }

  @Test
  void rowsThatFellDueAtOnceAreReleasedAtThePaceNotInABurst() throws Exception {
    // what a replay whose own transaction outlasted its first due times leaves at its commit (a
    // 100,000-row replay takes seconds), or rows that fell due while no relay ran
    String topic = TestServices.topic("ops-burst");
    int rows = 8;
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      ids.add(row("burst", "burst-" + i, topic, "published", 1, "2026-01-01T00:00:00Z"));
    }
    query(
        "INSERT INTO outbox_replay_schedule (outbox_id, due_at)"
            + " SELECT id, now() - interval '10 seconds' FROM unnest($1::bigint[]) AS id",
        (Object) ids.toArray(Long[]::new));

    long started = System.nanoTime();
    await()
        .during(Duration.ofMillis(2500))
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              double seconds = (System.nanoTime() - started) / 1e9;
              // the pace is 1 row/s with one second in hand; a test's slowness only lowers the
              // count
              return released(ids) <= 1 + Math.ceil(seconds) + 1;
            });
    await().atMost(Duration.ofSeconds(40)).until(() -> published("burst") == rows);
  }

  private static long released(List<Long> ids) throws Exception {
    return ids.size()
        - query(
                "SELECT count(*) FROM outbox_replay_schedule WHERE outbox_id = ANY($1::bigint[])",
                (Object) ids.toArray(Long[]::new))
            .get(0)
            .getLong(0);
  }

  // --- seeding and reading

  /**
   * A row of aggregate "agg" created at {@code createdAt}; a pending one is leased far ahead by an
   * owner that is no relay, so the running relay leaves it where it is.
   */
  private static long row(
      String tenant, String dedupeKey, String topic, String status, int attempts, String createdAt)
      throws Exception {
    return query(
            "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, partition_key, payload,"
                + " headers, status, attempts, created_at, published_at, lease_owner,"
                + " lease_expires_at)"
                + " VALUES ($1, $2, $3, 'agg', '{\"n\":1}', jsonb_build_object('trace', 't-' || $2),"
                + " $4, $5, $6, CASE WHEN $4 = 'published' THEN now() END,"
                + " CASE WHEN $4 = 'pending' THEN 'not-a-relay' END,"
                + " CASE WHEN $4 = 'pending' THEN now() + interval '1 hour' END)"
                + " RETURNING id",
            tenant,
            dedupeKey,
            topic,
            status,
            attempts,
            OffsetDateTime.parse(createdAt))
        .get(0)
        .getLong(0);
  }

  /** The dead letter of dead row {@code outboxId}, as the relay writes it. */
  private static long letter(long outboxId, String errorClass) throws Exception {
    return query(
            "INSERT INTO dead_letter_messages (outbox_id, tenant_id, dedupe_key, topic,"
                + " message_key, payload, headers, error_message, error_class, attempts,"
                + " created_at) SELECT id, tenant_id, dedupe_key, topic, tenant_id || ':agg',"
                + " payload, headers, 'refused', $2, attempts, created_at FROM outbox_messages"
                + " WHERE id = $1 RETURNING id",
            outboxId,
            errorClass)
        .get(0)
        .getLong(0);
  }

  /**
   * Both tables as text, but for tenant {@code live}: the class shares one database, and the paced
   * replay of {@link #aPacedReplayOfAnAggregatesOldEventsDoesNotHoldBackItsLiveEvents} goes on
   * publishing its rows, one a second, after that test ends.
   */
  private static String tables() throws Exception {
    return query(
            "SELECT (SELECT coalesce(json_agg(o ORDER BY id), '[]')::text FROM outbox_messages o"
                + " WHERE tenant_id <> 'live')"
                + " || (SELECT coalesce(json_agg(d ORDER BY id), '[]')::text"
                + " FROM dead_letter_messages d WHERE tenant_id <> 'live')")
        .get(0)
        .getString(0);
  }

  private static long auditRows(String tenant, boolean dryRun) throws Exception {
    return query(
            "SELECT count(*) FROM admin_audit WHERE request->>'tenantId' = $1 AND dry_run = $2",
            tenant,
            dryRun)
        .get(0)
        .getLong(0);
  }

  private static long published(String tenant) throws Exception {
    return query(
            "SELECT count(*) FROM outbox_messages WHERE tenant_id = $1 AND status = 'published'",
            tenant)
        .get(0)
        .getLong(0);
  }

  private static List<Row> query(String sql, Object... params) throws Exception {
    return Blocking.await(
        app.pool()
            .preparedQuery(sql)
            .execute(Tuple.from(params))
            .map(
                rows -> {
                  List<Row> list = new ArrayList<>();
                  rows.forEach(list::add);
                  return list;
                }),
        Duration.ofSeconds(30));
  }

  private static JsonObject list(String query) throws Exception {
    return admin("GET", "/admin/outbox/events?" + query, null, 200);
  }

  private static List<Long> ids(JsonObject page) {
    List<Long> ids = new ArrayList<>();
    page.getJsonArray("events").forEach(e -> ids.add(((JsonObject) e).getLong("id")));
    return ids;
  }

  private static JsonObject replay(String path, String body, int status) throws Exception {
    HttpResponse<String> response =
        http.send(
            request("POST", path, ADMIN, body).header("X-Operator", "oncall-ann").build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return new JsonObject(response.body());
  }

  private static JsonObject admin(String method, String path, String body, int status)
      throws Exception {
    HttpResponse<String> response = send(method, path, ADMIN, body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return new JsonObject(response.body());
  }

  private static HttpResponse<String> send(String method, String path, String token, String body)
      throws Exception {
    return http.send(
        request(method, path, token, body).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder request(
      String method, String path, String token, String body) {
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
    return request;
  }

  private static List<Long> longs(JsonArray numbers) {
    List<Long> values = new ArrayList<>();
    numbers.forEach(n -> values.add(((Number) n).longValue()));
    return values;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
