package dev.soma.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.outbox.OutboxEntry;
import dev.soma.resilience.tenant.Tenants;
import dev.soma.resilience.testing.KafkaReader;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/** The operator commands, run in-process as {@code main} runs them, against real servers. */
@ExtendWith(TestServices.class)
class MainCommandIT {

  private final String kafka = TestServices.kafkaBootstrap();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private OutboxFixture fx;
  private String topic;

  @BeforeEach
  void setUp() throws Exception {
    fx = new OutboxFixture();
    topic = TestServices.topic("cli.events");
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
  }

  @Test
  void publishOutboxOnceDrainsTheDueEventsAndPrintsASummary() throws Exception {
    fx.enqueue(
        List.of(
            OutboxEntry.of("tenant-a", "a1", topic, "x", new JsonObject().put("n", 1)),
            OutboxEntry.of("tenant-a", "a2", topic, "x", new JsonObject().put("n", 2)),
            OutboxEntry.of("tenant-b", "b1", topic, "y", new JsonObject().put("n", 3)),
            OutboxEntry.of("tenant-b", "later", topic, null, new JsonObject().put("n", 4))));
    fx.query(
        "UPDATE outbox_messages SET next_attempt_at = now() + interval '1 hour'"
            + " WHERE dedupe_key = 'later'");

    int exit = run(env(), "publish-outbox", "--once", "--batch-size=2");

    assertThat(err.toString()).isEmpty();
    assertThat(exit).isZero();
    assertThat(out.toString())
        .isEqualTo(
            "published 3 event(s) in 2 batch(es); 0 failed and will"
                + " be retried or were dead-lettered"
                + System.lineSeparator());
    assertThat(fx.query("SELECT dedupe_key, status FROM outbox_messages ORDER BY dedupe_key"))
        .extracting(row -> row.getString(0) + "=" + row.getString(1))
        .containsExactly("a1=published", "a2=published", "b1=published", "later=pending");
    assertThat(KafkaReader.read(kafka, topic, 3, Duration.ofSeconds(30)))
        .extracting(ConsumerRecord::key)
        .containsExactlyInAnyOrder("tenant-a:x", "tenant-a:x", "tenant-b:y");
  }

  @Test
  void publishOutboxOnceReachesTenantsBehindABatchOfTenantsWithNothingDue() throws Exception {
    // eight tenants sorting first, each with only rows waiting for a retry; batch 4
    fx.query(
        "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, payload, next_attempt_at)"
            + " SELECT 'a' || t, 'd' || t, $1, '{}', now() + interval '1 hour'"
            + " FROM generate_series(0, 7) AS t",
        topic);
    fx.enqueue(List.of(OutboxEntry.of("z-last", "z1", topic, null, new JsonObject())));

    int exit = run(env(), "publish-outbox", "--once", "--batch-size=4");

    assertThat(exit).isZero();
    assertThat(out.toString()).startsWith("published 1 event(s)");
    assertThat(fx.countStatus("published")).isEqualTo(1);
  }

  @Test
  void publishOutboxOnceWithNothingDuePublishesNothingAndSucceeds() throws Exception {
    int exit = run(env(), "publish-outbox", "--once");

    assertThat(exit).isZero();
    assertThat(out.toString()).startsWith("published 0 event(s) in 0 batch(es); 0 failed");
  }

  @Test
  void aRecordTheBrokerCanNeverAcceptIsDeadLetteredThenListedAndReplayedFromTheCommandLine()
      throws Exception {
    Map<String, String> env = env();
    env.put("SA01_KAFKA_MAX_REQUEST_SIZE_BYTES", "1024");
    fx.enqueue(
        List.of(
            OutboxEntry.of(
                "tenant-a", "huge", topic, null, new JsonObject().put("blob", "x".repeat(4096)))));

    assertThat(run(env, "publish-outbox", "--once")).isEqualTo(1);
    assertThat(out.toString()).startsWith("published 0 event(s) in 1 batch(es); 1 failed");
    assertThat(fx.countStatus("dead")).isEqualTo(1);

    out.getBuffer().setLength(0);
    assertThat(run(env, "dead-letters", "list", "--tenant=tenant-a")).isZero();
    JsonObject letter = new JsonObject(out.toString().strip());
    assertThat(letter.getString("dedupeKey")).isEqualTo("huge");
    assertThat(letter.getString("errorClass"))
        .isEqualTo("org.apache.kafka.common.errors.RecordTooLargeException");

    out.getBuffer().setLength(0);
    long id = letter.getLong("id");
    assertThat(run(env, "dead-letters", "show", Long.toString(id))).isZero();
    JsonObject shown = new JsonObject(out.toString().strip());
    assertThat(new JsonObject(shown.getString("payload")).getString("blob")).hasSize(4096);
    assertThat(run(env, "dead-letters", "show", "987654")).isEqualTo(1);
    assertThat(err.toString()).contains("no dead letter with id 987654");

    out.getBuffer().setLength(0);
    assertThat(run(env, "dead-letters", "replay", Long.toString(id), "--by=ops")).isZero();
    assertThat(out.toString().strip())
        .isEqualTo("dead letter " + id + " replayed: its event will be sent again");
    // no relay runs here: the event waits in the replay schedule until one releases it
    assertThat(fx.count("SELECT count(*) FROM outbox_replay_schedule")).isEqualTo(1);
  }

  @Test
  void resolvingADeadLetterThatDoesNotExistFailsSayingSo() {
    int exit = run(env(), "dead-letters", "resolve", "999", "--by=ops", "--notes=typo");

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString().strip()).isEqualTo("no unresolved dead letter with id 999");
  }

  @Test
  void aBatchSizeOfZeroIsRefusedWithAClearMessageBeforeAnythingIsTouched() throws Exception {
    fx.enqueue(List.of(OutboxEntry.of("tenant-a", "a1", topic, null, new JsonObject())));

    int exit = run(env(), "publish-outbox", "--once", "--batch-size=0");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "configuration error: --batch-size must be from 1 to 10000, but was 0"
                + System.lineSeparator());
    assertThat(out.toString()).isEmpty();
    assertThat(fx.query("SELECT status, attempts, lease_owner FROM outbox_messages"))
        .extracting(row -> row.getString(0) + " " + row.getInteger(1) + " " + row.getString(2))
        .containsExactly("pending 0 null");
  }

  @Test
  void aDeadLetterListLimitOutsideOneTo500OrACursorItDidNotPrintIsRefused() {
    int exit = run(env(), "dead-letters", "list", "--limit=0");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "configuration error: --limit must be from 1 to 500, but was 0"
                + System.lineSeparator());
    assertThat(run(env(), "dead-letters", "list", "--limit=501")).isEqualTo(2);
    assertThat(run(env(), "dead-letters", "list", "--cursor=zzz")).isEqualTo(2);
    assertThat(err.toString()).contains("--cursor is not one this command printed");
  }

  @Test
  void deadLettersAreListedPageByPageWithTheNextCursorOnStandardError() throws Exception {
    Map<String, String> env = env();
    env.put("SA01_KAFKA_MAX_REQUEST_SIZE_BYTES", "1024");
    String blob = "x".repeat(4096);
    fx.enqueue(
        List.of(
            OutboxEntry.of("tenant-p", "p1", topic, null, new JsonObject().put("blob", blob)),
            OutboxEntry.of("tenant-p", "p2", topic, null, new JsonObject().put("blob", blob)),
            OutboxEntry.of("tenant-p", "p3", topic, null, new JsonObject().put("blob", blob))));
    assertThat(run(env, "publish-outbox", "--once")).isEqualTo(1);
    assertThat(fx.countStatus("dead")).isEqualTo(3);
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);

    assertThat(run(env, "dead-letters", "list", "--tenant=tenant-p", "--limit=2")).isZero();
    assertThat(out.toString().lines().map(line -> new JsonObject(line).getString("dedupeKey")))
        .containsExactly("p1", "p2");
    String more = err.toString().strip();
    assertThat(more).startsWith("more: --cursor=");

    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    String cursor = more.substring("more: ".length());
    assertThat(run(env, "dead-letters", "list", "--tenant=tenant-p", "--limit=2", cursor)).isZero();
    assertThat(out.toString().lines().map(line -> new JsonObject(line).getString("dedupeKey")))
        .containsExactly("p3");
    assertThat(err.toString()).doesNotContain("more:");
  }

  @Test
  void aBadTenantIdIsRefusedBeforeAnythingStarts() {
    int exit = run(env(), "tenants", "create", "bad id!", "--operator=ops");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "configuration error: "
                + dev.soma.resilience.tenant.Tenants.ID_RULE
                + ", but was 'bad id!'"
                + System.lineSeparator());
  }

  @Test
  void aNameOrReasonLongerThanTheApiTakesIsRefusedBeforeAnythingStarts() {
    String name = "n".repeat(201);
    String reason = "r".repeat(2001);

    assertThat(run(env(), "tenants", "create", "zeta", "--operator=ops", "--name=" + name))
        .isEqualTo(2);
    assertThat(run(env(), "tenants", "create-key", "zeta", "--operator=ops", "--label=" + name))
        .isEqualTo(2);
    assertThat(run(env(), "dead-letters", "replay", "1", "--by=ops", "--reason=" + reason))
        .isEqualTo(2);
    assertThat(run(env(), "dead-letters", "resolve", "1", "--by=ops", "--reason=" + reason))
        .isEqualTo(2);
    assertThat(err.toString().lines())
        .containsExactly(
            "configuration error: --name must be at most 200 characters, but has 201",
            "configuration error: --label must be at most 200 characters, but has 201",
            "configuration error: --reason must be at most 2000 characters, but has 2001",
            "configuration error: --reason must be at most 2000 characters, but has 2001");
  }

  @Test
  void aNameOrReasonWithAControlCharacterIsRefusedBeforeAnythingStarts() {
    assertThat(run(env(), "tenants", "create", "zeta", "--operator=ops", "--name=a\u0001b"))
        .isEqualTo(2);
    assertThat(run(env(), "dead-letters", "resolve", "1", "--by=ops", "--reason=line\nbreak"))
        .isEqualTo(2);
    assertThat(run(env(), "tenants", "revoke-key", "k1", "--operator=al\rice")).isEqualTo(2);
    assertThat(
            run(
                env(),
                "flags",
                "set",
                "llm.canary-chain",
                "--percent=0",
                "--reason=r\u0007",
                "--by=ops"))
        .isEqualTo(2);
    assertThat(err.toString().lines())
        .containsExactly(
            "configuration error: --name must not contain a control character",
            "configuration error: --reason must not contain a control character",
            "configuration error: --operator must not contain a control character",
            "configuration error: --reason must not contain a control character");
  }

  @Test
  void aReplayOfRowsThatCannotBeReplayedIsRefusedBeforeAnythingStarts() {
    assertThat(
            run(
                env(),
                "outbox",
                "replay",
                "--tenant=acme",
                "--status=pending",
                "--dry-run",
                "--operator=ops"))
        .isEqualTo(2);
    assertThat(run(env(), "dead-letters", "replay", "--tenant=acme", "--source=memory", "--by=ops"))
        .isEqualTo(2);
    assertThat(err.toString().lines())
        .containsExactly(
            "'status' of a replay must be dead or published: pending rows are queued already"
                + " (see outbox replay --help)",
            "a bulk replay puts outbox events back: replay dead memories one by one, or resolve"
                + " them (see dead-letters replay --help)");
  }

  @Test
  void resolvingWithABlankOperatorOrNoteIsRefused() {
    assertThat(run(env(), "dead-letters", "resolve", "1", "--by= ", "--notes=typo")).isEqualTo(2);
    assertThat(run(env(), "dead-letters", "replay", "1", "--by=", "--notes=typo")).isEqualTo(2);
    assertThat(run(env(), "dead-letters", "resolve", "1", "--by=ops", "--notes=")).isEqualTo(2);
    assertThat(err.toString().lines())
        .containsExactly(
            "configuration error: --operator must not be blank",
            "configuration error: --operator must not be blank",
            "configuration error: --reason must not be blank");
  }

  @Test
  void anHttpPortIsRefusedWithOnceAndOutOfRange() {
    assertThat(run(env(), "publish-outbox", "--once", "--http-port=9464")).isEqualTo(2);
    assertThat(run(env(), "publish-outbox", "--http-port=70000")).isEqualTo(2);
    assertThat(err.toString().lines())
        .containsExactly(
            "configuration error: --http-port must be from 0 to 65535, without --once, but was"
                + " 9464 with --once",
            "configuration error: --http-port must be from 0 to 65535, without --once, but was"
                + " 70000");
  }

  @Test
  void anIntervalOutOfRangeIsRefusedWithAClearMessage() {
    int exit = run(env(), "publish-outbox", "--interval=0");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("configuration error: --interval must be from 0.01 to 3600 seconds");
  }

  @Test
  void aBadSettingInTheEnvironmentIsRefusedNamingTheVariable() {
    Map<String, String> env = env();
    env.put("SA01_OUTBOX_BATCH_SIZE", "lots");

    int exit = run(env, "publish-outbox", "--once");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "configuration error: SA01_OUTBOX_BATCH_SIZE must be a whole number, but was 'lots'"
                + System.lineSeparator());
  }

  @Test
  void anUnknownOptionIsAUsageError() {
    int exit = run(env(), "publish-outbox", "--bogus");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("Unknown option: '--bogus'");
    assertThat(err.toString().lines()).hasSize(1);
  }

  @Test
  void anOperatorCreatesATenantAndAKeyThatAuthenticatesUntilRevokedEachAudited() throws Exception {
    assertThat(run(env(), "tenants", "create", "acme", "--name", "Acme")).isEqualTo(2);
    assertThat(err.toString()).startsWith("Missing required option: '--operator=NAME'");
    assertThat(fx.count("SELECT count(*) FROM tenants")).isZero();
    assertThat(run(env(), "tenants", "create", "acme", "--name", "Acme", "--operator=cy")).isZero();
    assertThat(run(env(), "tenants", "create-key", "acme", "--label", "ci", "--by=cy")).isZero();
    JsonObject created =
        new JsonObject(
            out.toString()
                .lines()
                .filter(line -> line.contains("apiKey"))
                .findFirst()
                .orElseThrow());
    Tenants tenants = new Tenants(fx.pool);
    assertThat(
            Blocking.await(
                tenants.authenticate(created.getString("apiKey")), Duration.ofSeconds(10)))
        .hasValue("acme");

    assertThat(run(env(), "tenants", "revoke-key", created.getString("keyId"), "--operator=cy"))
        .isZero();

    assertThat(
            Blocking.await(
                tenants.authenticate(created.getString("apiKey")), Duration.ofSeconds(10)))
        .isEmpty();
    assertThat(fx.count("SELECT count(*) FROM api_keys WHERE revoked_by = 'cy'")).isEqualTo(1);
    assertThat(fx.query("SELECT operator, action, request->>'keyId' FROM admin_audit ORDER BY id"))
        .extracting(row -> row.getString(0) + " " + row.getString(1) + " " + row.getString(2))
        .containsExactly(
            "cy tenant.create null",
            "cy tenant.key.create " + created.getString("keyId"),
            "cy tenant.key.revoke " + created.getString("keyId"));
    assertThat(fx.count("SELECT count(*) FROM admin_audit WHERE request::text LIKE '%soma_%'"))
        .as("the key's secret is never in the audit")
        .isZero();
  }

  @Test
  void anOperatorListsTenantsAndATenantsKeysAsJsonLinesWithoutSecrets() throws Exception {
    for (String id : new String[] {"beta", "alpha", "gamma"}) {
      assertThat(run(env(), "tenants", "create", id, "--by=cy")).isZero();
    }
    assertThat(run(env(), "tenants", "create-key", "alpha", "--label", "ci", "--by=cy")).isZero();
    String secret =
        new JsonObject(out.toString().lines().reduce((a, b) -> b).orElseThrow())
            .getString("apiKey");
    out.getBuffer().setLength(0);

    assertThat(run(env(), "tenants", "list", "--limit=2")).isZero();
    assertThat(out.toString().lines().map(line -> new JsonObject(line).getString("id")))
        .containsExactly("alpha", "beta");
    assertThat(
            new JsonObject(out.toString().lines().findFirst().orElseThrow()).getLong("activeKeys"))
        .isEqualTo(1);
    assertThat(err.toString()).contains("more: --cursor=beta");
    out.getBuffer().setLength(0);
    assertThat(run(env(), "tenants", "list", "--cursor=beta")).isZero();
    assertThat(out.toString().lines().map(line -> new JsonObject(line).getString("id")))
        .containsExactly("gamma");
    // a last page that is exactly full says there is no more
    err.getBuffer().setLength(0);
    out.getBuffer().setLength(0);
    assertThat(run(env(), "tenants", "list", "--cursor=alpha", "--limit=2")).isZero();
    assertThat(out.toString().lines().map(line -> new JsonObject(line).getString("id")))
        .containsExactly("beta", "gamma");
    assertThat(err.toString()).doesNotContain("more:");

    out.getBuffer().setLength(0);
    assertThat(run(env(), "tenants", "keys", "alpha")).isZero();
    assertThat(out.toString().lines()).hasSize(1);
    assertThat(new JsonObject(out.toString().strip()).getString("label")).isEqualTo("ci");
    assertThat(out.toString()).doesNotContain(secret.substring(secret.lastIndexOf('_') + 1));

    // a tenant's keys page like the tenants: the next page's cursor on standard error
    assertThat(run(env(), "tenants", "create-key", "alpha", "--label", "ci-2", "--by=cy")).isZero();
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    assertThat(run(env(), "tenants", "keys", "alpha", "--limit=1")).isZero();
    assertThat(new JsonObject(out.toString().strip()).getString("label")).isEqualTo("ci-2");
    String more = err.toString().strip();
    assertThat(more).startsWith("more: --cursor=");
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    assertThat(run(env(), "tenants", "keys", "alpha", more.substring("more: ".length()))).isZero();
    assertThat(new JsonObject(out.toString().strip()).getString("label")).isEqualTo("ci");
    assertThat(err.toString()).doesNotContain("more:");
    assertThat(run(env(), "tenants", "keys", "alpha", "--cursor=zzz")).isEqualTo(2);
    assertThat(err.toString()).contains("--cursor is not one this command printed");

    assertThat(run(env(), "tenants", "keys", "nobody")).isEqualTo(1);
    assertThat(err.toString()).contains("no tenant 'nobody'");
    assertThat(run(env(), "tenants", "list", "--limit=0")).isEqualTo(2);
    assertThat(err.toString()).contains("--limit must be from 1 to 500");
  }

  @Test
  void anUnknownTenantIsAClearErrorWithExitCodeOne() throws Exception {
    assertThat(run(env(), "tenants", "create-key", "nobody", "--by=cy")).isEqualTo(1);
    assertThat(err.toString()).contains("no tenant 'nobody'");
    assertThat(fx.count("SELECT count(*) FROM admin_audit")).as("no change, no audit").isZero();
  }

  @Test
  void anEmptyDeadLetterListLeavesStandardOutputEmptyAndSaysSoOnStandardError() {
    assertThat(run(env(), "dead-letters", "list")).isZero();
    assertThat(run(env(), "dead-letters", "list", "--all", "--tenant=acme")).isZero();

    assertThat(out.toString()).isEmpty();
    assertThat(err.toString().lines())
        .containsExactly("no unresolved dead letters", "no dead letters for tenant acme");
  }

  @Test
  void aTakenHttpPortStopsStartUpWithOneLineBeforeAnythingStarts() throws Exception {
    fx.enqueue(List.of(OutboxEntry.of("tenant-a", "a1", topic, null, new JsonObject())));
    try (ServerSocket taken = new ServerSocket(0)) {
      Map<String, String> env = env();
      env.put("SA01_HTTP_PORT", Integer.toString(taken.getLocalPort()));

      int exit = run(env);

      assertThat(exit).isEqualTo(2);
      assertThat(err.toString())
          .isEqualTo(
              "configuration error: SA01_HTTP_PORT "
                  + taken.getLocalPort()
                  + " cannot be listened on (Address already in use): another process has it;"
                  + " stop it or choose another port"
                  + System.lineSeparator());
      assertThat(out.toString()).isEmpty();
    }
    // the relay never ran
    assertThat(fx.query("SELECT status, attempts, lease_owner FROM outbox_messages"))
        .extracting(row -> row.getString(0) + " " + row.getInteger(1) + " " + row.getString(2))
        .containsExactly("pending 0 null");
  }

  @Test
  void anUnknownLogLevelStopsACommandWithOneLine() {
    Map<String, String> env = env();
    env.put("SA01_LOG_LEVEL", "LOUD");

    assertThat(run(env)).isEqualTo(2);
    assertThat(run(env, "dead-letters", "list")).isEqualTo(2);
    assertThat(err.toString().lines())
        .containsExactly(
            "configuration error: SA01_LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR,"
                + " OFF (unset: INFO), but was 'LOUD'",
            "configuration error: SA01_LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR,"
                + " OFF (unset: INFO), but was 'LOUD'");
  }

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("SA01_DATABASE_URL", TestServices.databaseUrlSetting(fx.databaseUrl));
    env.put("SA01_KAFKA_BOOTSTRAP_SERVERS", kafka);
    env.put("SA01_DATA_DIR", TestServices.tempDir("cli").toString());
    env.put("SA01_KAFKA_DELIVERY_TIMEOUT_MS", "10000");
    env.put("SA01_KAFKA_REQUEST_TIMEOUT_MS", "3000");
    env.put("SA01_KAFKA_MAX_BLOCK_MS", "3000");
    env.put("SA01_OUTBOX_LEASE_SECONDS", "20");
    return env;
  }

  private int run(Map<String, String> env, String... args) {
    CommandLine cli = Main.commandLine(env);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }
}
