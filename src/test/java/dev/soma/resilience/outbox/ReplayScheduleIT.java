package dev.soma.resilience.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.audit.AdminAudit;
import dev.soma.resilience.config.OutboxConfig;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A bulk replay larger than one chunk ({@link ReplaySchedule#CHUNK}) against a real database, with
 * no relay running, so that the schedule it writes stays as written: one pace across its chunks, an
 * audit row that counts what each committed chunk put back, and a bad topic refused before any
 * chunk.
 */
@ExtendWith(TestServices.class)
class ReplayScheduleIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final int RATE = 100;
  private static final int ROWS = ReplaySchedule.CHUNK * 2 + 500;

  private OutboxFixture fx;
  private OutboxReplay replay;

  @BeforeEach
  void setUp() throws Exception {
    fx = new OutboxFixture();
    replay = new OutboxReplay(fx.pool, fx.outbox, new OutboxConfig.Replay(RATE, ROWS + 10));
    fx.query(
        "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, partition_key, payload, status,"
            + " published_at) SELECT 'acme', 'k-' || n, 'orders', 'agg-' || (n % 7), '{}',"
            + " 'published', now() - interval '1 hour' FROM generate_series(1, $1) AS n",
        ROWS);
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
  }

  @Test
  void aReplayOfSeveralChunksIsPacedAsOneAndItsAuditCountsEveryRow() throws Exception {
    ReplayResult result = replayAll();

    assertThat(result.count()).isEqualTo(ROWS);
    List<Row> due =
        fx.query(
            "SELECT extract(epoch FROM s.due_at - first_value(s.due_at) OVER (ORDER BY o.id))"
                + "::float8 FROM outbox_replay_schedule s JOIN outbox_messages o"
                + " ON o.id = s.outbox_id ORDER BY o.id");
    assertThat(due).hasSize(ROWS);
    // row i is due i / rate seconds after the first, across the chunks' transactions
    for (int i : new int[] {1, ReplaySchedule.CHUNK - 1, ReplaySchedule.CHUNK, ROWS - 1}) {
      assertThat(due.get(i).getDouble(0)).as("row " + i).isEqualTo(i / (double) RATE);
    }
    assertThat(audit()).containsExactly(new JsonObject().put("rows", ROWS).put("dryRun", false));
  }

  @Test
  void aReplayStoppedHalfWayKeepsItsCommittedChunksAuditedAndTheSameReplayPutsBackTheRest()
      throws Exception {
    long inSecondChunk = firstId() + ReplaySchedule.CHUNK + 10;
    fx.query(
        "CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " IF NEW.outbox_id = "
            + inSecondChunk
            + " THEN RAISE EXCEPTION 'the database went away'; END IF; RETURN NEW; END $$");
    fx.query(
        "CREATE TRIGGER refuse_one BEFORE INSERT ON outbox_replay_schedule"
            + " FOR EACH ROW EXECUTE FUNCTION refuse_one()");

    assertThatThrownBy(this::replayAll).hasMessageContaining("the database went away");

    assertThat(scheduled()).isEqualTo(ReplaySchedule.CHUNK);
    assertThat(audit())
        .containsExactly(new JsonObject().put("rows", ReplaySchedule.CHUNK).put("dryRun", false));

    fx.query("DROP TRIGGER refuse_one ON outbox_replay_schedule");
    ReplayResult again = replayAll();

    assertThat(again.count()).isEqualTo(ROWS - ReplaySchedule.CHUNK);
    assertThat(scheduled()).isEqualTo(ROWS);
    assertThat(audit())
        .containsExactly(
            new JsonObject().put("rows", ReplaySchedule.CHUNK).put("dryRun", false),
            new JsonObject().put("rows", ROWS - ReplaySchedule.CHUNK).put("dryRun", false));
  }

  @Test
  void aRowWhoseTopicKafkaRefusesFailsTheReplayBeforeAnyChunkChangesAnything() throws Exception {
    // a row written before the topic check (sql/V6 added it NOT VALID), in the last chunk
    fx.query("ALTER TABLE outbox_messages DROP CONSTRAINT ck_outbox_topic_kafka_legal");
    fx.query(
        "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, payload, status,"
            + " published_at) VALUES ('acme', 'bad-topic', 'orders/eu', '{}', 'published', now())");
    fx.query(
        "ALTER TABLE outbox_messages ADD CONSTRAINT ck_outbox_topic_kafka_legal"
            + " CHECK (topic ~ '^[a-zA-Z0-9._-]{1,249}$' AND topic NOT IN ('.', '..')) NOT VALID");

    assertThatThrownBy(this::replayAll)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a name Kafka accepts");

    assertThat(scheduled()).isZero();
    assertThat(audit()).isEmpty();
  }

  @Test
  void idsOnTheScheduleAlreadyAreSkippedAndListed() throws Exception {
    OutboxReplay small = new OutboxReplay(fx.pool, fx.outbox, new OutboxConfig.Replay(RATE, 4));
    long first = firstId();
    AdminAudit.Entry audit =
        new AdminAudit.Entry("oncall-ann", "outbox.replay", new JsonObject(), 0, false);

    ReplayResult once =
        Blocking.await(small.replayIds(Set.of(first, first + 1), false, audit), TIMEOUT);
    ReplayResult again =
        Blocking.await(
            small.replayIds(Set.of(first, first + 1, first + 2, first + 3), false, audit), TIMEOUT);

    assertThat(once.count()).isEqualTo(2);
    assertThat(again.skipped()).containsExactly(first, first + 1);
    assertThat(again.ids()).containsExactly(first + 2, first + 3);
    assertThat(scheduled()).isEqualTo(4);
  }

  private ReplayResult replayAll() throws Exception {
    return Blocking.await(
        replay.replayMatching(
            OutboxFilter.parse(Map.of("tenant", "acme", "status", "published")::get),
            false,
            new AdminAudit.Entry("oncall-ann", "outbox.replay.tenant", new JsonObject(), 0, false)),
        TIMEOUT);
  }

  private long firstId() throws Exception {
    return fx.count("SELECT min(id) FROM outbox_messages");
  }

  private long scheduled() throws Exception {
    return fx.count("SELECT count(*) FROM outbox_replay_schedule");
  }

  private List<JsonObject> audit() throws Exception {
    return fx.query("SELECT rows_affected, dry_run FROM admin_audit ORDER BY id").stream()
        .map(
            row ->
                new JsonObject()
                    .put("rows", row.getLong(0).intValue())
                    .put("dryRun", row.getBoolean(1)))
        .toList();
  }
}
