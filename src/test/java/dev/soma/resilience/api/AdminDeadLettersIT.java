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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operators' dead-letter endpoints over HTTP: list (open ones, per tenant, or all), replay (the
 * event is published again, the letter resolved, a second replay 404), bulk replay and resolve by
 * filter (dry runs change nothing), all behind the admin token; and the audit of every admin change
 * (tenants, keys, dead letters): one row with the change, none when it fails or names no operator.
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
    assertThat(letter.containsKey("resolvedBy")).isFalse();
    long id = letter.getLong("id");

    HttpResponse<String> replayed =
        admin("POST", "/admin/dead-letters/" + id + "/replay", "{\"notes\":\"fixed\"}");

    assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(202);
    assertThat(new JsonObject(replayed.body()).getString("status")).isEqualTo("replayed");
    await().atMost(Duration.ofSeconds(30)).until(() -> "published".equals(outboxStatus(outboxId)));
    assertThat(listOf("/admin/dead-letters?tenant=t-dlq")).isEmpty();
    assertThat(listOf("/admin/dead-letters?tenant=t-dlq&all=true"))
        .singleElement()
        .satisfies(
            l -> {
              JsonObject closed = (JsonObject) l;
              assertThat(closed.getBoolean("resolved")).isTrue();
              assertThat(closed.getString("resolvedBy")).isEqualTo("oncall-dee");
              assertThat(closed.getString("resolvedAt")).isNotBlank();
              assertThat(closed.getString("resolutionNotes")).isEqualTo("replayed: fixed");
            });
    assertThat(listOf("/admin/dead-letters"))
        .as("every tenant's open letters")
        .extracting(l -> ((JsonObject) l).getString("dedupeKey"))
        .contains("dead-2")
        .doesNotContain("dead-1");
    HttpResponse<String> again = admin("POST", "/admin/dead-letters/" + id + "/replay", null);
    assertThat(again.statusCode()).as("replayed once only").isEqualTo(404);
    assertThat(again.headers().firstValue("Content-Type")).hasValue("application/problem+json");
  }

  @Test
  void aSingleReplayTakesItsReasonUnderTheBulkCallsNameAndRefusesBothNames() throws Exception {
    String topic = TestServices.topic("admin-dlq-reason");
    long outboxId = deadEvent("t-dlq-reason", "dead-reason", topic);
    long id = letterOf(outboxId);

    HttpResponse<String> both =
        admin(
            "POST", "/admin/dead-letters/" + id + "/replay", "{\"reason\":\"a\",\"notes\":\"b\"}");
    assertThat(both.statusCode()).as(both.body()).isEqualTo(400);
    assertThat(outboxStatus(outboxId)).as("nothing replayed").isEqualTo("dead");

    HttpResponse<String> replayed =
        admin("POST", "/admin/dead-letters/" + id + "/replay", "{\"reason\":\"schema fixed\"}");
    assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(202);
    Object notes = valueOf("SELECT resolution_notes FROM dead_letter_messages WHERE id = $1", id);
    assertThat(notes).isEqualTo("replayed: schema fixed");
    assertThat(
            valueOf(
                "SELECT request->>'reason' FROM admin_audit WHERE action = 'dead-letter.replay'"
                    + " AND (request->>'id')::bigint = $1",
                id))
        .as("audited under the name it was sent with")
        .isEqualTo("schema fixed");
  }

  @Test
  void adminListsRefuseUnknownOrMalformedQueryParametersRatherThanIgnoringThem() throws Exception {
    for (String path :
        List.of(
            "/admin/dead-letters?all=maybe",
            "/admin/dead-letters?all=1",
            "/admin/dead-letters?bogus=1",
            "/admin/dead-letters?tenant=",
            "/admin/dead-letters?tenant=a&tenant=b",
            "/admin/outbox/summary?tenant=acme",
            "/admin/failovers?limit=abc",
            "/admin/breakers?x=1",
            "/admin/dead-letters?limit=1&limit=2",
            "/admin/dead-letters?limit=501",
            "/admin/dead-letters?cursor=42",
            "/admin/dead-letters?cursor=",
            "/admin/audit?limit=1&limit=2")) {
      HttpResponse<String> answer = admin("GET", path, null);

      assertThat(answer.statusCode()).as(path + " " + answer.body()).isEqualTo(400);
      assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }
    assertThat(admin("GET", "/admin/dead-letters?all=false&tenant=t&limit=5", null).statusCode())
        .isEqualTo(200);
  }

  @Test
  void adminChangesRefuseUnknownQueryParametersAndChangeNothing() throws Exception {
    // a misspelt ?tenant= must not widen a change to every tenant
    String[][] calls = {
      {"POST", "/admin/breakers/somabrain/force-open?tenat=acme", "{}"},
      {"POST", "/admin/breakers/somabrain/release?tenant=acme&x=1", "{}"},
      {"PUT", "/admin/flags/llm.canary-chain?tenant=acme", "{\"percentage\":0}"},
      {"DELETE", "/admin/flags/llm.canary-chain?tenant=acme", null},
      {"POST", "/admin/dead-letters/resolve?tenant=acme", "{\"reason\":\"x\",\"all\":true}"},
      {"POST", "/admin/outbox/replay/tenant?dryRun=true", "{\"tenant\":\"acme\"}"},
      {"POST", "/admin/tenants?dry=1", "{\"id\":\"qp-tenant\"}"},
    };
    long audited = auditCount();
    for (String[] call : calls) {
      HttpResponse<String> answer = admin(call[0], call[1], call[2]);

      assertThat(answer.statusCode()).as(call[1] + " " + answer.body()).isEqualTo(400);
      assertThat(new JsonObject(answer.body()).getString("detail"))
          .startsWith("unknown query parameter");
    }
    assertThat(auditCount()).as("nothing changed, nothing audited").isEqualTo(audited);
  }

  private static long auditCount() throws Exception {
    return Blocking.await(
            app.pool().query("SELECT count(*) FROM admin_audit").execute(), Duration.ofSeconds(10))
        .iterator()
        .next()
        .getLong(0);
  }

  @Test
  void theListPagesByCursorSoEveryLetterCanBeReadHoweverManyThereAre() throws Exception {
    List<Long> letters = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      letters.add(letterOf(deadEvent("t-pages", "page-" + i, "orders")));
    }
    List<Long> read = new ArrayList<>();
    String path = "/admin/dead-letters?tenant=t-pages&limit=2";
    JsonObject page = ok(admin("GET", path, null));
    int pages = 1;
    while (true) {
      page.getJsonArray("deadLetters").forEach(l -> read.add(((JsonObject) l).getLong("id")));
      String next = page.getString("nextCursor");
      if (next == null) {
        break;
      }
      page = ok(admin("GET", path + "&cursor=" + next, null));
      pages++;
    }

    assertThat(read).isEqualTo(letters);
    assertThat(pages).isEqualTo(3);
    // an exactly full last page says so: no cursor to an empty page
    JsonObject exact = ok(admin("GET", "/admin/dead-letters?tenant=t-pages&limit=5", null));
    assertThat(exact.getJsonArray("deadLetters")).hasSize(5);
    assertThat(exact.getValue("nextCursor")).isNull();
    assertThat(exact.containsKey("nextCursor")).isTrue();
  }

  @Test
  void aListLeavesOutPayloadsOver64KibWhichTheLetterItselfHasWhole() throws Exception {
    long small = letterOf(deadEvent("big-list", "small", "orders"));
    long big = letterOf(deadEvent("big-list", "big", "orders"));
    JsonObject large = new JsonObject().put("blob", "x".repeat(200_000));
    Blocking.await(
        app.pool()
            .preparedQuery("UPDATE dead_letter_messages SET payload = $2 WHERE id = $1")
            .execute(Tuple.of(big, large)),
        Duration.ofSeconds(10));

    JsonArray letters = listOf("/admin/dead-letters?tenant=big-list");
    JsonObject first = letters.getJsonObject(0);
    JsonObject second = letters.getJsonObject(1);
    assertThat(first.getLong("id")).isEqualTo(small);
    assertThat(new JsonObject(first.getString("payload")).getInteger("n")).isEqualTo(1);
    assertThat(first.getInteger("payloadBytes")).isEqualTo(first.getString("payload").length());
    assertThat(first.containsKey("payloadOmitted")).isFalse();
    assertThat(second.getLong("id")).isEqualTo(big);
    assertThat(second.getString("payload")).isNull();
    assertThat(second.getBoolean("payloadOmitted")).isTrue();
    assertThat(second.getInteger("payloadBytes")).isGreaterThan(200_000);

    JsonObject whole = ok(admin("GET", "/admin/dead-letters/" + big, null));
    assertThat(new JsonObject(whole.getString("payload")).getString("blob")).hasSize(200_000);
    assertThat(admin("GET", "/admin/dead-letters/987654", null).statusCode()).isEqualTo(404);
    assertThat(admin("GET", "/admin/dead-letters/one", null).statusCode()).isEqualTo(400);
    assertThat(send("GET", "/admin/dead-letters/" + big, tenantKey, null).statusCode())
        .isEqualTo(401);
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

  @Test
  void bulkReplayByFilterRequeuesOnlyTheMatchingEventsAfterADryRunThatChangedNothing()
      throws Exception {
    String topic = TestServices.topic("admin-dlq-bulk");
    long a1 = deadEvent("t-bulk", "bulk-1", topic);
    long a2 = deadEvent("t-bulk", "bulk-2", topic);
    long other = deadEvent("t-bulk-other", "bulk-3", topic);
    String before = tables();

    JsonObject dry =
        ok(
            admin(
                "POST",
                "/admin/dead-letters/replay",
                "{\"tenant\":\"t-bulk\",\"topic\":\"" + topic + "\",\"dryRun\":true}"));

    assertThat(dry.getInteger("count")).isEqualTo(2);
    assertThat(dry.getJsonArray("ids").getList()).containsExactly((int) a1, (int) a2);
    assertThat(tables()).as("a dry run changes nothing").isEqualTo(before);

    JsonObject done =
        ok(
            admin(
                "POST",
                "/admin/dead-letters/replay",
                "{\"tenant\":\"t-bulk\",\"reason\":\"topic fixed\"}"));

    assertThat(done.getInteger("count")).isEqualTo(2);
    await().atMost(Duration.ofSeconds(30)).until(() -> "published".equals(outboxStatus(a2)));
    assertThat(outboxStatus(a1)).isEqualTo("published");
    assertThat(outboxStatus(other)).isEqualTo("dead");
    assertThat(listOf("/admin/dead-letters?tenant=t-bulk")).isEmpty();
    assertThat(audit("dead-letters.replay"))
        .containsExactly("oncall-dee 2 true t-bulk", "oncall-dee 2 false t-bulk");
  }

  @Test
  void bulkResolveNeedsAFilterAndAReasonAndClosesOnlyTheMatchingLetters() throws Exception {
    String topic = TestServices.topic("admin-dlq-resolve");
    deadEvent("t-res", "res-1", topic);
    deadEvent("t-res", "res-2", topic);
    deadEvent("t-res-keep", "res-3", topic);
    String before = tables();

    assertThat(admin("POST", "/admin/dead-letters/resolve", "{\"reason\":\"x\"}").statusCode())
        .as("no filter: every letter is too easy to resolve by mistake")
        .isEqualTo(400);
    assertThat(admin("POST", "/admin/dead-letters/resolve", "{\"tenant\":\"t-res\"}").statusCode())
        .as("no reason")
        .isEqualTo(400);
    assertThat(
            admin(
                    "POST",
                    "/admin/dead-letters/resolve",
                    "{\"tenant\":\"t-res\",\"reason\":\"x\",\"from\":\"yesterday\"}")
                .statusCode())
        .isEqualTo(400);
    JsonObject dry =
        ok(
            admin(
                "POST",
                "/admin/dead-letters/resolve",
                "{\"tenant\":\"t-res\",\"reason\":\"obsolete\",\"dryRun\":true}"));
    assertThat(dry.getInteger("count")).isEqualTo(2);
    assertThat(tables()).as("refusals and a dry run change nothing").isEqualTo(before);

    JsonObject done =
        ok(
            admin(
                "POST",
                "/admin/dead-letters/resolve",
                "{\"tenant\":\"t-res\",\"errorClass\":\"X\",\"source\":\"outbox\","
                    + "\"reason\":\"obsolete\"}"));

    assertThat(done.getInteger("count")).isEqualTo(2);
    assertThat(listOf("/admin/dead-letters?tenant=t-res")).isEmpty();
    assertThat(listOf("/admin/dead-letters?tenant=t-res-keep")).hasSize(1);
    long resolvedByThem =
        Blocking.await(
            app.pool()
                .query(
                    "SELECT count(*) FROM dead_letter_messages WHERE tenant_id = 't-res'"
                        + " AND resolved_by = 'oncall-dee' AND resolution_notes = 'obsolete'")
                .execute()
                .map(rows -> rows.iterator().next().getLong(0)),
            Duration.ofSeconds(10));
    assertThat(resolvedByThem).isEqualTo(2);
    assertThat(audit("dead-letters.resolve"))
        .containsExactly("oncall-dee 2 true t-res", "oncall-dee 2 false t-res");
  }

  @Test
  void everyAdminChangeIsAuditedWithItsOperatorAndAFailedOrAnonymousOneIsNot() throws Exception {
    String topic = TestServices.topic("admin-dlq-audit");
    long outboxId = deadEvent("t-aud", "aud-1", topic);
    long letter = listOf("/admin/dead-letters?tenant=t-aud").getJsonObject(0).getLong("id");

    HttpResponse<String> anonymous =
        send("POST", "/admin/tenants", "no-operator", "{\"id\":\"t-anon\"}");
    assertThat(anonymous.statusCode()).isEqualTo(400);
    assertThat(anonymous.body()).contains("X-Operator");
    assertThat(
            send("POST", "/admin/dead-letters/" + letter + "/replay", "no-operator", null)
                .statusCode())
        .isEqualTo(400);
    assertThat(outboxStatus(outboxId)).as("an anonymous replay changes nothing").isEqualTo("dead");

    assertThat(admin("POST", "/admin/tenants", "{\"id\":\"t-aud\"}").statusCode()).isEqualTo(201);
    assertThat(admin("POST", "/admin/tenants", "{\"id\":\"t-aud\"}").statusCode())
        .as("taken")
        .isEqualTo(409);
    HttpResponse<String> key = admin("POST", "/admin/tenants/t-aud/keys", "{\"operator\":\"x\"}");
    assertThat(key.statusCode()).isEqualTo(201);
    String keyId = new JsonObject(key.body()).getString("keyId");
    assertThat(admin("POST", "/admin/tenants/nobody/keys", null).statusCode()).isEqualTo(404);
    assertThat(admin("DELETE", "/admin/keys/" + keyId, null).statusCode()).isEqualTo(204);
    assertThat(admin("DELETE", "/admin/keys/" + keyId, null).statusCode()).isEqualTo(404);
    assertThat(admin("POST", "/admin/dead-letters/" + letter + "/replay", null).statusCode())
        .isEqualTo(202);
    assertThat(admin("POST", "/admin/dead-letters/" + letter + "/replay", null).statusCode())
        .isEqualTo(404);

    assertThat(audit("tenant.create")).containsExactly("oncall-dee 1 false t-aud");
    assertThat(audit("tenant.key.create"))
        .as("the header wins over the body's operator")
        .containsExactly("oncall-dee 1 false t-aud");
    assertThat(audit("tenant.key.revoke")).containsExactly("oncall-dee 1 false " + keyId);
    assertThat(audit("dead-letter.replay"))
        .as("one row for the replay, none for the 404 after it nor the anonymous one")
        .filteredOn(line -> line.endsWith(" " + letter))
        .containsExactly("oncall-dee 1 false " + letter);
  }

  /**
   * The audit rows of {@code action} (not the set-up's), oldest first: operator, rows, dry, tenant.
   */
  private static java.util.List<String> audit(String action) throws Exception {
    return Blocking.await(
        app.pool()
            .preparedQuery(
                "SELECT operator || ' ' || rows_affected || ' ' || dry_run || ' '"
                    + " || coalesce(request->>'tenant', request->>'tenantId', request->>'id',"
                    + " request->>'keyId')"
                    + " FROM admin_audit WHERE action = $1 AND operator <> 'test' ORDER BY id")
            .execute(Tuple.of(action))
            .map(
                rows -> {
                  java.util.List<String> lines = new java.util.ArrayList<>();
                  rows.forEach(row -> lines.add(row.getString(0)));
                  return lines;
                }),
        Duration.ofSeconds(10));
  }

  private static String tables() throws Exception {
    return Blocking.await(
        app.pool()
            .query(
                "SELECT (SELECT coalesce(json_agg(o ORDER BY id), '[]')::text FROM outbox_messages"
                    + " o) || (SELECT coalesce(json_agg(d ORDER BY id), '[]')::text FROM"
                    + " dead_letter_messages d)")
            .execute()
            .map(rows -> rows.iterator().next().getString(0)),
        Duration.ofSeconds(10));
  }

  private static JsonObject ok(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body());
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

  private static long letterOf(long outboxId) throws Exception {
    return (Long) valueOf("SELECT id FROM dead_letter_messages WHERE outbox_id = $1", outboxId);
  }

  private static String outboxStatus(long id) throws Exception {
    return (String) valueOf("SELECT status FROM outbox_messages WHERE id = $1", id);
  }

  /** The one value {@code sql} selects for {@code id}. */
  private static Object valueOf(String sql, long id) throws Exception {
    return Blocking.await(
        app.pool()
            .preparedQuery(sql)
            .execute(Tuple.of(id))
            .map(rows -> rows.iterator().next().getValue(0)),
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
      request.header("Authorization", "Bearer " + (token.equals("no-operator") ? ADMIN : token));
    }
    if (ADMIN.equals(token)) {
      request.header("X-Operator", "oncall-dee");
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
