package dev.soma.resilience.outbox;

import dev.soma.resilience.common.ControlFlowException;
import dev.soma.resilience.common.audit.AdminAudit;
import dev.soma.resilience.common.db.Transaction;
import dev.soma.resilience.config.OutboxConfig;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Operators' replays: dead or published outbox rows go back to pending with the same id, dedupe
 * key, payload and headers and fresh attempts, so the relay sends them again and consumers, which
 * dedupe by event id, recognise a redelivery; a dead row's dead letter is resolved with it. Rows
 * already pending or on the schedule of an earlier replay are skipped (they are queued already); a
 * replay by filter does not select them, so they do not count against its limit.
 *
 * <p>A replay is paced ({@link OutboxConfig.Replay#rate()}): its row {@code i} is due {@code i /
 * rate} seconds after the replay, so a big replay is sent at that rate beside live traffic, and its
 * rows never hold a live event of their aggregate back ({@link ReplaySchedule#REQUEUE}). One replay
 * puts back at most {@link OutboxConfig.Replay#maxRows()} rows; a larger selection fails with
 * {@link TooLarge} and changes nothing, as does a selection holding a row whose topic Kafka never
 * accepts.
 *
 * <p>The rows are chosen in one transaction and put back in transactions of {@link
 * ReplaySchedule#CHUNK} rows, each atomic and audited as it commits ({@link ReplaySchedule}: one
 * {@code admin_audit} row whose count grows with each chunk, so it says what was put back even when
 * the replay stops half-way; asking again puts back the rest). A dry run selects exactly as the
 * replay would and answers the same counts and first ids, but changes no outbox row or dead letter;
 * it writes its {@code admin_audit} row in its one transaction.
 */
public final class OutboxReplay {

  /** Whether row {@code o} waits on the replay schedule already (an earlier replay's). */
  static final String SCHEDULED =
      "EXISTS (SELECT 1 FROM outbox_replay_schedule s WHERE s.outbox_id = o.id)";

  static final String STATUS_OF =
      "SELECT o.id, o.status, o.topic, "
          + SCHEDULED
          + " AS scheduled FROM outbox_messages o WHERE o.id = ANY($1::bigint[])";

  /** The rows a filtered replay chooses: {@code %s} the filter, {@code $%d} the row limit. */
  static final String MATCHING =
      "SELECT o.id, o.topic FROM outbox_messages o WHERE %s AND o.status <> 'pending' AND NOT "
          + SCHEDULED
          + " ORDER BY o.id LIMIT $%d";

  /**
   * The dead rows with an unresolved dead letter {@code d} that {@code %s} (a {@link
   * DeadLetterFilter}) matches; {@code $%d} the row limit.
   */
  static final String DEAD_LETTERED =
      "SELECT o.id, o.topic FROM outbox_messages o WHERE o.status <> 'pending' AND NOT "
          + SCHEDULED
          + " AND EXISTS"
          + " (SELECT 1 FROM dead_letter_messages d WHERE d.outbox_id = o.id AND %s)"
          + " ORDER BY o.id LIMIT $%d";

  /** Replayed rows {@code %s} (a filter) matches that the relay has not settled yet. */
  static final String UNSENT =
      "SELECT count(*) FROM outbox_messages o WHERE %s AND ((o.replayed AND o.status = 'pending')"
          + " OR EXISTS (SELECT 1 FROM outbox_replay_schedule s WHERE s.outbox_id = o.id))";

  /** A replay that would put back more rows than one replay may. */
  public static final class TooLarge extends ControlFlowException {
    TooLarge(int max) {
      super(
          "the selection holds more than "
              + max
              + " rows, the most one replay or resolve may change: narrow the filter or work in"
              + " parts");
    }
  }

  private final Pool pool;
  private final OutboxConfig.Replay limits;
  private final ReplaySchedule schedule;

  public OutboxReplay(Pool pool, Outbox outbox, OutboxConfig.Replay limits) {
    this.pool = pool;
    this.limits = limits;
    this.schedule = new ReplaySchedule(pool, outbox, limits.rate());
  }

  /**
   * Replays the rows {@code ids}, audited as {@code audit} (its row count is filled in). Both
   * replays fail with {@link IllegalArgumentException} when a chosen row's topic is one Kafka never
   * accepts (written before the topic check): nothing changes then.
   *
   * @throws TooLarge (failed future) when there are more ids than one replay may put back
   */
  public Future<ReplayResult> replayIds(Set<Long> ids, boolean dryRun, AdminAudit.Entry audit) {
    if (ids.size() > limits.maxRows()) {
      return Future.failedFuture(new TooLarge(limits.maxRows()));
    }
    Long[] asked = new TreeSet<>(ids).toArray(Long[]::new);
    return replay(
        tx ->
            tx.preparedQuery(STATUS_OF)
                .execute(Tuple.of(asked))
                .map(
                    rows -> {
                      Set<Long> missing = new TreeSet<>(ids);
                      List<Long> skipped = new ArrayList<>();
                      List<Row> chosen = new ArrayList<>();
                      for (Row row : rows) {
                        missing.remove(row.getLong("id"));
                        if ("pending".equals(row.getString("status"))
                            || row.getBoolean("scheduled")) {
                          skipped.add(row.getLong("id"));
                        } else {
                          chosen.add(row);
                        }
                      }
                      skipped.sort(null);
                      return Selection.of(chosen, skipped, List.copyOf(missing));
                    }),
        dryRun,
        audit);
  }

  /**
   * Replays the dead and published rows {@code filter} matches, audited as {@code audit}.
   *
   * @throws IllegalArgumentException when the filter asks for pending or retrying rows: those are
   *     queued already
   * @throws TooLarge (failed future) when it matches more rows than one replay may put back
   */
  public Future<ReplayResult> replayMatching(
      OutboxFilter filter, boolean dryRun, AdminAudit.Entry audit) {
    requireReplayable(filter);
    return replaySelected(MATCHING, filter::where, dryRun, audit);
  }

  /**
   * Refuses a filter that asks for pending or retrying rows (queued already), as {@link
   * #replayMatching} does; for a caller that checks its input before it starts anything.
   */
  public static void requireReplayable(OutboxFilter filter) {
    if (filter.state() == OutboxState.PENDING || filter.state() == OutboxState.RETRYING) {
      throw new IllegalArgumentException(
          "'status' of a replay must be dead or published: pending rows are queued already");
    }
  }

  /**
   * Replays the events of the unresolved dead letters {@code filter} matches (their rows are dead,
   * so this is {@link #replayMatching} chosen by dead letter), audited as {@code audit}; an event's
   * dead letters are resolved with it. Memories are not replayed in bulk.
   *
   * @throws IllegalArgumentException when the filter asks for memories only
   * @throws TooLarge (failed future) when it matches more rows than one replay may put back
   */
  public Future<ReplayResult> replayDeadLetters(
      DeadLetterFilter filter, boolean dryRun, AdminAudit.Entry audit) {
    requireReplayable(filter);
    return replaySelected(DEAD_LETTERED, filter::where, dryRun, audit);
  }

  /**
   * Refuses a filter of memories only (not replayed in bulk), as {@link #replayDeadLetters} does;
   * for a caller that checks its input before it starts anything.
   */
  public static void requireReplayable(DeadLetterFilter filter) {
    if (filter.source() == DeadLetterFilter.Source.MEMORY) {
      throw new IllegalArgumentException(
          "a bulk replay puts outbox events back: replay dead memories one by one, or resolve them");
    }
  }

  /** Chooses rows by {@code select} (formatted with {@code where}'s condition), then applies. */
  private Future<ReplayResult> replaySelected(
      String select, Function<List<Object>, String> where, boolean dryRun, AdminAudit.Entry audit) {
    List<Object> values = new ArrayList<>();
    String condition = where.apply(values);
    values.add(limits.maxRows() + 1);
    String sql = select.formatted(condition, values.size());
    return replay(
        tx ->
            tx.preparedQuery(sql)
                .execute(Tuple.wrap(values))
                .compose(
                    rows -> {
                      List<Row> chosen = new ArrayList<>();
                      rows.forEach(chosen::add);
                      return Future.succeededFuture(Selection.of(chosen, List.of(), List.of()));
                    }),
        dryRun,
        audit);
  }

  /**
   * What a replay chose to put back (ids in id order) and, by ids, what it did not.
   *
   * @throws IllegalArgumentException when a chosen row's topic is one Kafka never accepts (written
   *     before the topic check): it could never be published
   */
  private record Selection(List<Long> chosen, List<Long> skipped, List<Long> notFound) {
    /** From rows with {@code id} and {@code topic}. */
    static Selection of(List<Row> rows, List<Long> skipped, List<Long> notFound) {
      List<Long> chosen = new ArrayList<>(rows.size());
      for (Row row : rows) {
        if (!OutboxEntry.legalTopic(row.getString("topic"))) {
          throw new ReplaySchedule.UnpublishableTopic(row.getLong("id"));
        }
        chosen.add(row.getLong("id"));
      }
      chosen.sort(null);
      return new Selection(chosen, skipped, notFound);
    }
  }

  /**
   * Chooses rows with {@code select} in one transaction; a dry run (or an empty choice) is audited
   * there and done, a replay puts the chosen rows back in chunks ({@link ReplaySchedule#put}).
   */
  private Future<ReplayResult> replay(
      Function<Transaction, Future<Selection>> select, boolean dryRun, AdminAudit.Entry audit) {
    return Transaction.run(
            pool,
            tx ->
                select
                    .apply(tx)
                    .compose(
                        chosen ->
                            chosen.chosen().size() > limits.maxRows()
                                ? Future.failedFuture(new TooLarge(limits.maxRows()))
                                : dryRun || chosen.chosen().isEmpty()
                                    ? AdminAudit.record(tx, counted(audit, chosen.chosen(), dryRun))
                                        .map(chosen)
                                    : Future.succeededFuture(chosen)))
        .compose(
            chosen -> {
              Future<List<Long>> done =
                  dryRun || chosen.chosen().isEmpty()
                      ? Future.succeededFuture(chosen.chosen())
                      : schedule.put(chosen.chosen(), audit, notes(audit));
              return done.map(
                  ids ->
                      ReplayResult.of(
                          dryRun, ids, chosen.skipped(), chosen.notFound(), limits.rate()));
            });
  }

  private static AdminAudit.Entry counted(AdminAudit.Entry audit, List<Long> ids, boolean dryRun) {
    return new AdminAudit.Entry(
        audit.operator(), audit.action(), audit.request(), ids.size(), dryRun);
  }

  /**
   * How many replayed rows {@code filter} matches are still waiting to be sent (a replay's
   * progress: the relay clears the mark when a row is published or dead). Rows of other replays
   * that match count too.
   */
  public Future<Long> unsent(OutboxFilter filter) {
    List<Object> values = new ArrayList<>();
    String where = filter.where(values);
    return pool.preparedQuery(UNSENT.formatted(where))
        .execute(Tuple.wrap(values))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  private static String notes(AdminAudit.Entry audit) {
    String reason = audit.request().getString("reason");
    return reason == null || reason.isBlank() ? "replayed" : "replayed: " + reason;
  }
}
