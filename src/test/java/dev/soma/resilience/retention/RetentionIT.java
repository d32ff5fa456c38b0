package dev.soma.resilience.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.RetentionConfig;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Retention of the tables that only record the past, against a real database: rows older than their
 * setting go, younger ones and the ones still needed stay. Every table's retention here is 10 hours
 * (the audit's 100), so "old" is 11 hours ago (101) and "young" 9 (99).
 */
@ExtendWith(TestServices.class)
class RetentionIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final RetentionConfig TEN_HOURS =
      new RetentionConfig(
          Duration.ofHours(10),
          Duration.ofHours(10),
          Duration.ofHours(10),
          Duration.ofHours(10),
          Duration.ofHours(100));

  private OutboxFixture fx;
  private Retention retention;

  @BeforeEach
  void setUp() throws Exception {
    fx = new OutboxFixture();
    retention = new Retention(fx.pool, TEN_HOURS, Duration.ofHours(1));
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
  }

  @Test
  void syncedMemoriesPastTheirRetentionAreDeletedAndEveryOtherMemoryStays() throws Exception {
    memory("synced-old", "synced", "11 hours");
    memory("synced-young", "synced", "9 hours");
    memory("pending-old", "pending", "11 hours");

    Map<String, Long> deleted = Blocking.await(retention.sweep(), TIMEOUT);

    assertThat(deleted).containsEntry("synced memories", 1L);
    assertThat(memoryKeys()).containsExactly("pending-old", "synced-young");
  }

  @Test
  void aDeadMemoryGoesOnlyWhenOldAndNoDeadLetterOfItsCanStillBeReplayed() throws Exception {
    long unresolved = memory("dead-unresolved", "dead", "11 hours");
    deadLetter(unresolved, null);
    long resolvedLongAgo = memory("dead-resolved-long-ago", "dead", "11 hours");
    deadLetter(resolvedLongAgo, "11 hours");
    long resolvedLately = memory("dead-resolved-lately", "dead", "11 hours");
    deadLetter(resolvedLately, "9 hours");
    memory("dead-without-letter", "dead", "11 hours");
    memory("dead-young", "dead", "9 hours");

    Map<String, Long> deleted = Blocking.await(retention.sweep(), TIMEOUT);

    assertThat(deleted).containsEntry("dead memories", 2L);
    assertThat(memoryKeys())
        .containsExactly("dead-resolved-lately", "dead-unresolved", "dead-young");
  }

  @Test
  void resolvedDeadLettersPastTheirRetentionAreDeletedAndUnresolvedOnesStay() throws Exception {
    long memory = memory("pending", "pending", "1 hour");
    long resolvedOld = deadLetter(memory, "11 hours");
    long resolvedYoung = deadLetter(memory, "9 hours");
    long unresolved = deadLetter(memory, null);

    Map<String, Long> deleted = Blocking.await(retention.sweep(), TIMEOUT);

    assertThat(deleted).containsEntry("resolved dead letters", 1L);
    assertThat(ids("SELECT id FROM dead_letter_messages ORDER BY id"))
        .containsExactly(resolvedYoung, unresolved)
        .doesNotContain(resolvedOld);
  }

  @Test
  void uploadCompletionsPastTheirRetentionAreDeleted() throws Exception {
    for (String[] upload : new String[][] {{"u-old", "11 hours"}, {"u-young", "9 hours"}}) {
      fx.query(
          "INSERT INTO upload_completions (upload_id, tenant_id, object_key, provider, queued_at,"
              + " stored_at) VALUES ($1, 'acme', 'k', 'local', now() - interval '12 hours',"
              + " now() - $2::text::interval)",
          upload[0],
          upload[1]);
    }

    Map<String, Long> deleted = Blocking.await(retention.sweep(), TIMEOUT);

    assertThat(deleted).containsEntry("upload completions", 1L);
    assertThat(fx.query("SELECT upload_id FROM upload_completions"))
        .extracting(row -> row.getString(0))
        .containsExactly("u-young");
  }

  @Test
  void adminAuditRowsPastTheirLongerRetentionAreDeleted() throws Exception {
    audit("101 hours");
    long young = audit("99 hours");
    long recent = audit("11 hours");

    Map<String, Long> deleted = Blocking.await(retention.sweep(), TIMEOUT);

    assertThat(deleted).containsEntry("admin audit", 1L);
    assertThat(ids("SELECT id FROM admin_audit ORDER BY id")).containsExactly(young, recent);
  }

  @Test
  void aBacklogLargerThanOneChunkIsDeletedCompletelyInOneSweep() throws Exception {
    int old = Retention.CHUNK * 2 + 3;
    fx.query(
        "INSERT INTO admin_audit (operator, action, at) SELECT 'alice', 'replay',"
            + " now() - interval '200 hours' FROM generate_series(1, $1)",
        old);
    long young = audit("1 hour");

    Map<String, Long> deleted = Blocking.await(retention.sweep(), TIMEOUT);

    assertThat(deleted).containsEntry("admin audit", (long) old);
    assertThat(ids("SELECT id FROM admin_audit")).containsExactly(young);
  }

  @Test
  void theDeployedRetentionSweepsOnItsOwn() throws Exception {
    audit("101 hours");
    long young = audit("1 hour");

    Blocking.await(
        fx.vertx.deployVerticle(new Retention(fx.pool, TEN_HOURS, Duration.ofSeconds(1))), TIMEOUT);

    await().atMost(TIMEOUT).until(() -> fx.count("SELECT count(*) FROM admin_audit") == 1);
    assertThat(ids("SELECT id FROM admin_audit")).containsExactly(young);
  }

  /** A memory in {@code status}, created (and, when synced, synced) {@code ago}; its id. */
  private long memory(String key, String status, String ago) throws Exception {
    return fx.query(
            "INSERT INTO pending_memories (tenant_id, memory_key, namespace, value, status,"
                + " created_at, synced_at) VALUES ('acme', $1, 'wm', '{}', $2,"
                + " now() - $3::text::interval,"
                + " CASE WHEN $2 = 'synced' THEN now() - $3::text::interval END) RETURNING id",
            key,
            status,
            ago)
        .get(0)
        .getLong(0);
  }

  /** A dead letter of memory {@code memoryId}, resolved {@code resolvedAgo} (null: unresolved). */
  private long deadLetter(long memoryId, String resolvedAgo) throws Exception {
    return fx.query(
            "INSERT INTO dead_letter_messages (memory_id, tenant_id, dedupe_key, topic,"
                + " message_key, payload, headers, error_message, error_class, attempts,"
                + " created_at, resolved, resolved_by, resolved_at) VALUES ($1, 'acme', 'k',"
                + " 'somabrain.memory.remember', 'acme:k', '{}', '{}', 'down', 'E', 10,"
                + " now() - interval '20 hours', $2::text IS NOT NULL,"
                + " CASE WHEN $2::text IS NOT NULL THEN 'alice' END,"
                + " now() - $2::text::interval) RETURNING id",
            memoryId,
            resolvedAgo)
        .get(0)
        .getLong(0);
  }

  private long audit(String ago) throws Exception {
    return fx.query(
            "INSERT INTO admin_audit (operator, action, at) VALUES ('alice', 'replay',"
                + " now() - $1::text::interval) RETURNING id",
            ago)
        .get(0)
        .getLong(0);
  }

  private List<String> memoryKeys() throws Exception {
    return fx.query("SELECT memory_key FROM pending_memories ORDER BY memory_key").stream()
        .map(row -> row.getString(0))
        .toList();
  }

  private List<Long> ids(String sql) throws Exception {
    return fx.query(sql).stream().map(row -> row.getLong(0)).toList();
  }
}
