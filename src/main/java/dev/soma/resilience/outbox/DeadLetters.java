package dev.soma.resilience.outbox;

import dev.soma.resilience.common.audit.AdminAudit;
import dev.soma.resilience.common.db.IdCursor;
import dev.soma.resilience.common.db.Transaction;
import dev.soma.resilience.config.OutboxConfig;
import dev.soma.resilience.outbox.internal.DeadLetter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Operator access to dead letters (outbox events and memories). {@link #replay} puts the original
 * outbox row (or pending memory) back to pending with fresh attempts (same id and dedupe key, so
 * consumers recognise a redelivery; an outbox row goes on the replay schedule, due at once, see
 * {@link ReplaySchedule#REQUEUE}) and marks the dead letter resolved; {@link #resolve} closes one
 * without replaying it, {@link #resolveMatching} closes every one a filter matches. Each records
 * who acted, when and why on the letter, and writes one {@code admin_audit} row in the transaction
 * of its change (none when it fails). Bulk replays by filter are {@link
 * OutboxReplay#replayDeadLetters}.
 */
public final class DeadLetters {

  /** The longest reason (why a letter was replayed or resolved) kept, in characters. */
  public static final int REASON_MAX = 2000;

  /**
   * The payload a list shows whole: a larger one is left out of the list (its size is given), so
   * that a list of letters refused as too large never holds hundreds of megabytes; {@link #one}
   * reads it.
   */
  public static final int LISTED_PAYLOAD_MAX = 64 * 1024;

  /**
   * Letters of tenant {@code $1} (null: every tenant), resolved ones too when {@code $2}, in id
   * order after id {@code $5}, at most {@code $3}; each payload's size (as JSON text) as {@code
   * payload_bytes}, the payload itself sent only when at most {@code $4} bytes.
   */
  static final String LIST =
      "SELECT "
          + DeadLetter.columns("CASE WHEN octet_length(p.rendered) <= $4 THEN p.rendered END")
          + ", octet_length(p.rendered) AS payload_bytes"
          + " FROM dead_letter_messages, LATERAL (SELECT payload::text AS rendered) p"
          + " WHERE ($1::text IS NULL OR tenant_id = $1) AND (resolved = false OR $2) AND id > $5"
          + " ORDER BY id LIMIT $3";

  static final String ONE =
      "SELECT " + DeadLetter.COLUMNS + " FROM dead_letter_messages WHERE id = $1";

  static final String RESOLVE =
      """
      UPDATE dead_letter_messages
         SET resolved = true, resolved_by = $2, resolved_at = now(), resolution_notes = $3
       WHERE id = $1 AND NOT resolved
      RETURNING outbox_id, memory_id\
      """;

  /** The unresolved letters {@code %s} (a {@link DeadLetterFilter}) matches; {@code $%d} limit. */
  static final String MATCHING =
      "SELECT d.id FROM dead_letter_messages d WHERE %s ORDER BY d.id LIMIT $%d FOR UPDATE";

  static final String RESOLVE_ALL =
      """
      UPDATE dead_letter_messages
         SET resolved = true, resolved_by = $2, resolved_at = now(), resolution_notes = $3
       WHERE id = ANY($1::bigint[]) AND NOT resolved\
      """;

  /**
   * What a bulk resolve did (or, dry, would do).
   *
   * @param count letters resolved (dry: that would be)
   * @param ids the first {@value ReplayResult#ID_PAGE} of them, in id order
   */
  public record Resolved(boolean dryRun, int count, List<Long> ids) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("dryRun", dryRun)
          .put("count", count)
          .put("ids", new JsonArray(new ArrayList<>(ids)));
    }
  }

  static final String REQUEUE_MEMORY =
      """
      UPDATE pending_memories
         SET status = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL,
             lease_owner = NULL, lease_expires_at = NULL
       WHERE id = $1 AND status = 'dead'\
      """;

  private final Pool pool;
  private final Outbox outbox;
  private final int maxRows;

  /** {@code limits}' max rows also bound a bulk resolve. */
  public DeadLetters(Pool pool, Outbox outbox, OutboxConfig.Replay limits) {
    this.pool = pool;
    this.outbox = outbox;
    this.maxRows = limits.maxRows();
  }

  /**
   * Up to {@code limit} dead letters, oldest first, after the letter {@code cursor} points at
   * (null: from the first); {@code tenantId} null means every tenant. Answers {@code
   * {"deadLetters": [...], "nextCursor": ...}}, {@code nextCursor} null on the last page. Each
   * letter has its {@code payloadBytes}; a payload over {@link #LISTED_PAYLOAD_MAX} bytes is left
   * out ({@code payload} null, {@code payloadOmitted} true): {@link #one} has it.
   *
   * @throws IllegalArgumentException when {@code cursor} is not one this list returned
   */
  public Future<JsonObject> list(
      String tenantId, boolean includeResolved, String cursor, int limit) {
    long after = IdCursor.parse(cursor);
    return pool.preparedQuery(LIST)
        .execute(Tuple.of(tenantId, includeResolved, limit + 1, LISTED_PAYLOAD_MAX, after))
        .map(rows -> IdCursor.page(rows, limit, "deadLetters", DeadLetters::listed));
  }

  private static JsonObject listed(Row row) {
    JsonObject letter = DeadLetter.from(row).toJson();
    Integer bytes = row.getInteger("payload_bytes");
    if (bytes != null) {
      letter.put("payloadBytes", bytes);
      if (bytes > LISTED_PAYLOAD_MAX) {
        letter.put("payloadOmitted", true);
      }
    }
    return letter;
  }

  /** Dead letter {@code id}, its payload whole; fails with {@link NoSuchElementException}. */
  public Future<JsonObject> one(long id) {
    return pool.preparedQuery(ONE)
        .execute(Tuple.of(id))
        .compose(
            rows ->
                rows.size() == 0
                    ? Future.failedFuture(
                        new NoSuchElementException("no dead letter with id " + id))
                    : Future.succeededFuture(DeadLetter.from(rows.iterator().next()).toJson()));
  }

  /**
   * Requeues dead letter {@code id}'s event for publishing. Fails with {@link
   * NoSuchElementException} when there is no unresolved dead letter with that id, and with {@link
   * IllegalArgumentException} when its event's topic is one Kafka never accepts (written before the
   * topic check): nothing changes then. Audited as {@code dead-letter.replay}.
   */
  public Future<Void> replay(long id, String operator, String notes) {
    String why = notes == null || notes.isBlank() ? "replayed" : "replayed: " + notes;
    AdminAudit.Entry audit = entry(operator, "dead-letter.replay", id, notes);
    if (audit == null) {
      return Future.failedFuture(new IllegalArgumentException("the operator is required"));
    }
    return Transaction.<Void>run(
            pool,
            tx ->
                tx.preparedQuery(RESOLVE)
                    .execute(Tuple.of(id, operator, why))
                    .compose(
                        rows -> {
                          if (rows.rowCount() == 0) {
                            return Future.failedFuture(
                                new NoSuchElementException(
                                    "no unresolved dead letter with id " + id));
                          }
                          Row row = rows.iterator().next();
                          Long outboxId = row.getLong("outbox_id");
                          tx.afterCommit(outbox::committed);
                          Future<?> requeued =
                              outboxId != null
                                  ? ReplaySchedule.one(tx, outboxId, operator, why)
                                  : tx.preparedQuery(REQUEUE_MEMORY)
                                      .execute(Tuple.of(row.getLong("memory_id")));
                          return requeued.compose(r -> AdminAudit.record(tx, audit));
                        }))
        .recover(e -> Future.failedFuture(unreplayable(id, e)));
  }

  /** A row older than the topic check whose topic Kafka refuses: say so instead of a SQL error. */
  private static Throwable unreplayable(long id, Throwable e) {
    return e instanceof ReplaySchedule.UnpublishableTopic
        ? new IllegalArgumentException(
            "dead letter "
                + id
                + "'s topic is not a name Kafka accepts: its event can never be published,"
                + " resolve it instead")
        : e;
  }

  /**
   * Marks dead letter {@code id} resolved without replaying it, audited as {@code
   * dead-letter.resolve}; fails with {@link NoSuchElementException} when there is no unresolved
   * dead letter with that id.
   */
  public Future<Void> resolve(long id, String operator, String notes) {
    AdminAudit.Entry audit = entry(operator, "dead-letter.resolve", id, notes);
    if (audit == null) {
      return Future.failedFuture(new IllegalArgumentException("the operator is required"));
    }
    return Transaction.run(
        pool,
        tx ->
            tx.preparedQuery(RESOLVE)
                .execute(Tuple.of(id, operator, notes))
                .compose(
                    rows ->
                        rows.rowCount() == 0
                            ? Future.failedFuture(
                                new NoSuchElementException(
                                    "no unresolved dead letter with id " + id))
                            : AdminAudit.record(tx, audit)));
  }

  /**
   * Resolves the unresolved dead letters {@code filter} matches, outbox events and memories alike,
   * without replaying them, as {@code audit}'s operator with {@code reason} as the notes; a dry run
   * selects the same and changes no letter. Audited (dry or not) as {@code audit}, its row count
   * filled in.
   *
   * @throws IllegalArgumentException when {@code reason} is blank
   * @throws OutboxReplay.TooLarge (failed future) when the filter matches more letters than one
   *     replay may put back ({@code outbox.replayMaxRows}): nothing changes then
   */
  public Future<Resolved> resolveMatching(
      DeadLetterFilter filter, String reason, boolean dryRun, AdminAudit.Entry audit) {
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("say why the letters need no replay: a 'reason'");
    }
    List<Object> values = new ArrayList<>();
    String sql = MATCHING.formatted(filter.where(values), values.size() + 1);
    values.add(maxRows + 1);
    return Transaction.run(
        pool,
        tx ->
            tx.preparedQuery(sql)
                .execute(Tuple.wrap(values))
                .compose(
                    rows -> {
                      if (rows.size() > maxRows) {
                        return Future.failedFuture(new OutboxReplay.TooLarge(maxRows));
                      }
                      List<Long> ids = new ArrayList<>();
                      rows.forEach(row -> ids.add(row.getLong(0)));
                      Future<?> done =
                          dryRun || ids.isEmpty()
                              ? Future.succeededFuture()
                              : tx.preparedQuery(RESOLVE_ALL)
                                  .execute(
                                      Tuple.of(ids.toArray(Long[]::new), audit.operator(), reason));
                      AdminAudit.Entry entry =
                          new AdminAudit.Entry(
                              audit.operator(),
                              audit.action(),
                              audit.request(),
                              ids.size(),
                              dryRun);
                      return done.compose(r -> AdminAudit.record(tx, entry))
                          .map(
                              v ->
                                  new Resolved(
                                      dryRun,
                                      ids.size(),
                                      List.copyOf(
                                          ids.subList(
                                              0, Math.min(ReplayResult.ID_PAGE, ids.size())))));
                    }));
  }

  /**
   * The audit entry of a one-letter action, or null when nobody is named; the why is recorded as
   * {@code reason}, as the bulk actions record theirs.
   */
  private static AdminAudit.Entry entry(String operator, String action, long id, String reason) {
    if (operator == null || operator.isBlank()) {
      return null;
    }
    JsonObject request = new JsonObject().put("id", id);
    if (reason != null) {
      request.put("reason", reason);
    }
    return new AdminAudit.Entry(operator, action, request, 1, false);
  }
}
