package dev.soma.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/**
 * {@code outbox list|summary|replay} and {@code dead-letters replay|resolve} by filter, run
 * in-process as {@code main} runs them against real PostgreSQL: output, exit codes, dry runs that
 * change nothing, audit rows with the change, bad filters as one line. Standard error is no
 * terminal here, so no progress is drawn: only the result.
 */
@ExtendWith(TestServices.class)
class OperatorCommandsIT {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private OutboxFixture fx;
  private String topic;

  @BeforeEach
  void setUp() throws Exception {
    fx = new OutboxFixture();
    topic = TestServices.topic("cli.ops");
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
  }

  @Test
  void outboxListAndSummaryPrintJsonLinesOfTheMatchingRows() throws Exception {
    long dead = row("t-a", "a-1", "dead");
    row("t-a", "a-2", "published");
    row("t-b", "b-1", "dead");

    assertThat(run("outbox", "list", "--tenant=t-a", "--status=dead")).isZero();
    assertThat(out.toString().lines())
        .singleElement()
        .satisfies(line -> assertThat(new JsonObject(line).getLong("id")).isEqualTo(dead));
    out.getBuffer().setLength(0);
    assertThat(run("outbox", "list", "--tenant=t-a", "--limit=1")).isZero();
    assertThat(out.toString().lines()).hasSize(1);
    assertThat(err.toString()).startsWith("more: --cursor=");

    out.getBuffer().setLength(0);
    assertThat(run("outbox", "summary")).isZero();
    assertThat(out.toString().lines())
        .extracting(
            line ->
                new JsonObject(line).getString("tenantId")
                    + " "
                    + new JsonObject(line).getLong("dead"))
        .containsExactlyInAnyOrder("t-a 1", "t-b 1");
  }

  @Test
  void outboxReplayDryRunChangesNothingAndTheReplayRequeuesAuditedWithItsOperator()
      throws Exception {
    long dead = row("t-r", "r-1", "dead");
    long published = row("t-r", "r-2", "published");
    row("t-other", "o-1", "dead");
    String before = tables();

    assertThat(run("outbox", "replay", "--tenant=t-r", "--dry-run", "--operator=ann")).isZero();
    JsonObject dry = new JsonObject(out.toString().strip());
    assertThat(dry.getInteger("count")).isEqualTo(2);
    assertThat(tables()).as("a dry run changes nothing").isEqualTo(before);

    out.getBuffer().setLength(0);
    assertThat(
            run(
                "outbox",
                "replay",
                "--ids=" + dead + "," + published,
                "--by=ann",
                "--reason=fixed"))
        .isZero();
    assertThat(new JsonObject(out.toString().strip()).getInteger("count")).isEqualTo(2);
    assertThat(
            fx.count(
                "SELECT count(*) FROM outbox_messages o JOIN outbox_replay_schedule s ON s.outbox_id"
                    + " = o.id"))
        .isEqualTo(2);
    assertThat(
            fx.query(
                "SELECT operator, action, rows_affected, dry_run FROM admin_audit ORDER BY id"))
        .extracting(
            r -> r.getString(0) + " " + r.getString(1) + " " + r.getLong(2) + " " + r.getBoolean(3))
        .containsExactly("ann outbox.replay.tenant 2 true", "ann outbox.replay 2 false");
    assertThat(
            fx.query(
                    "SELECT request FROM admin_audit WHERE action = 'outbox.replay'"
                        + " AND NOT dry_run")
                .get(0)
                .getJsonObject(0))
        .isEqualTo(
            new JsonObject()
                .put("ids", new io.vertx.core.json.JsonArray().add(dead).add(published))
                .put("idCount", 2)
                .put("reason", "fixed"));
  }

  @Test
  void deadLettersReplayAndResolveByFilterHonourDryRunAndTouchOnlyTheMatchingLetters()
      throws Exception {
    long e1 = row("t-d", "d-1", "dead");
    letter(e1, "org.example.Boom");
    long e2 = row("t-d", "d-2", "dead");
    letter(e2, "org.example.Other");
    long e3 = row("t-e", "e-1", "dead");
    letter(e3, "org.example.Boom");
    String before = tables();

    assertThat(
            run("dead-letters", "replay", "--error-class=org.example.Boom", "--dry-run", "--by=bo"))
        .isZero();
    assertThat(new JsonObject(out.toString().strip()).getInteger("count")).isEqualTo(2);
    assertThat(tables()).isEqualTo(before);

    out.getBuffer().setLength(0);
    assertThat(
            run(
                "dead-letters",
                "replay",
                "--tenant=t-d",
                "--error-class=org.example.Boom",
                "--by=bo",
                "--reason=fixed"))
        .isZero();
    assertThat(new JsonObject(out.toString().strip()).getInteger("count")).isEqualTo(1);
    assertThat(fx.query("SELECT outbox_id FROM outbox_replay_schedule"))
        .extracting(r -> r.getLong(0))
        .containsExactly(e1);

    out.getBuffer().setLength(0);
    assertThat(run("dead-letters", "resolve", "--tenant=t-e", "--by=bo", "--reason=obsolete"))
        .isZero();
    assertThat(new JsonObject(out.toString().strip()).getInteger("count")).isEqualTo(1);
    assertThat(
            fx.query(
                "SELECT tenant_id, resolved, resolved_by FROM dead_letter_messages ORDER BY id"))
        .extracting(r -> r.getString(0) + " " + r.getBoolean(1) + " " + r.getString(2))
        .containsExactly("t-d true bo", "t-d false null", "t-e true bo");
    assertThat(fx.query("SELECT action, rows_affected, dry_run FROM admin_audit ORDER BY id"))
        .extracting(r -> r.getString(0) + " " + r.getLong(1) + " " + r.getBoolean(2))
        .containsExactly(
            "dead-letters.replay 2 true",
            "dead-letters.replay 1 false",
            "dead-letters.resolve 1 false");
  }

  @Test
  void badFiltersAreOneLineAndANonZeroExitBeforeAnythingChanges() throws Exception {
    row("t-x", "x-1", "dead");
    String before = tables();

    assertThat(run("outbox", "list", "--from=yesterday")).isEqualTo(2);
    assertThat(run("outbox", "replay", "--tenant=t-x", "--status=stuck", "--by=cy")).isEqualTo(2);
    assertThat(run("dead-letters", "resolve", "--by=cy", "--reason=x")).isEqualTo(2);
    assertThat(run("dead-letters", "replay", "7", "--tenant=t-x", "--by=cy")).isEqualTo(2);
    assertThat(run("outbox", "replay", "--tenant=t-x", "--dry-run")).isEqualTo(2);
    assertThat(run("outbox", "replay", "--tenant=t-x", "--status=pending", "--by=cy")).isEqualTo(2);
    assertThat(run("outbox", "list", "--cursor=zzz")).isEqualTo(2);
    assertThat(run("dead-letters", "replay", "7", "--dry-run", "--by=cy")).isEqualTo(2);

    assertThat(err.toString().lines())
        .hasSize(8)
        .satisfies(
            lines -> {
              assertThat(lines.get(0)).startsWith("--from must be an RFC 3339 time");
              assertThat(lines.get(1)).contains("--status");
              assertThat(lines.get(2)).startsWith("name at least one filter");
              assertThat(lines.get(3)).startsWith("give either an ID or filters");
              assertThat(lines.get(4)).startsWith("Missing required option: '--operator=NAME'");
              assertThat(lines.get(5)).contains("pending rows are queued already");
              assertThat(lines.get(6)).startsWith("--cursor is not one this command printed");
              assertThat(lines.get(7)).startsWith("--dry-run goes with filters");
            });
    assertThat(out.toString()).isEmpty();
    assertThat(tables()).isEqualTo(before);
    assertThat(fx.count("SELECT count(*) FROM admin_audit")).isZero();
  }

  private long row(String tenant, String dedupeKey, String status) throws Exception {
    return fx.query(
            "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, partition_key, payload,"
                + " status, attempts, created_at, published_at) VALUES ($1, $2, $3, 'k', '{}', $4,"
                + " 1, $5, CASE WHEN $4 = 'published' THEN now() END) RETURNING id",
            tenant,
            dedupeKey,
            topic,
            status,
            OffsetDateTime.parse("2026-01-01T00:00:00Z"))
        .get(0)
        .getLong(0);
  }

  private void letter(long outboxId, String errorClass) throws Exception {
    fx.query(
        "INSERT INTO dead_letter_messages (outbox_id, tenant_id, dedupe_key, topic, message_key,"
            + " payload, headers, error_message, error_class, attempts, created_at) SELECT id,"
            + " tenant_id, dedupe_key, topic, 'k', payload, headers, 'refused', $2, attempts,"
            + " created_at FROM outbox_messages WHERE id = $1",
        outboxId,
        errorClass);
  }

  private String tables() throws Exception {
    return fx.query(
            "SELECT (SELECT coalesce(json_agg(o ORDER BY id), '[]')::text FROM outbox_messages o)"
                + " || (SELECT coalesce(json_agg(d ORDER BY id), '[]')::text"
                + " FROM dead_letter_messages d)")
        .get(0)
        .getString(0);
  }

  private int run(String... args) {
    Map<String, String> env = new HashMap<>();
    env.put("SA01_DATABASE_URL", TestServices.databaseUrlSetting(fx.databaseUrl));
    env.put("SA01_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap());
    env.put("SA01_DATA_DIR", TestServices.tempDir("cli-ops").toString());
    CommandLine cli = Main.commandLine(env);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }
}
