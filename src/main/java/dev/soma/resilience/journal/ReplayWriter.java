package dev.soma.resilience.journal;

import dev.soma.resilience.common.db.Transaction;
import dev.soma.resilience.idempotency.IdempotentRequests;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How {@link JournalReplay} writes journal records into the database: a batch on one transaction,
 * in journal order, each run of one kind by its kind's {@link JournalKind#replayAll}, with the
 * keyed records' answers; or one record on a transaction of its own, taken as done when its kind
 * finds it there already.
 */
final class ReplayWriter {

  private final Pool pool;
  private final Map<String, JournalKind> kinds;
  private final IdempotentRequests keys;

  ReplayWriter(Pool pool, Map<String, JournalKind> kinds, IdempotentRequests keys) {
    this.pool = pool;
    this.kinds = Map.copyOf(kinds);
    this.keys = keys;
  }

  /**
   * Writes the records on {@code tx} in order, each run of consecutive records of one kind through
   * its kind's {@link JournalKind#replayAll} once the runs before it are written, then the keyed
   * records' answers in one statement.
   */
  Future<Void> writeInOrder(Transaction tx, List<JournalRecord> records) {
    List<IdempotentRequests.Replayed> answers = new ArrayList<>();
    Future<Void> written = Future.succeededFuture();
    int from = 0;
    while (from < records.size()) {
      int to = runEnd(records, from);
      List<JournalRecord> run = records.subList(from, to);
      written = written.compose(v -> writeRun(tx, run, answers));
      from = to;
    }
    return written.compose(v -> keys.storeAllReplayed(tx, answers));
  }

  /** Where the run of records of one kind that begins at {@code from} ends. */
  private static int runEnd(List<JournalRecord> records, int from) {
    String kind = records.get(from).kind();
    int to = from + 1;
    while (to < records.size() && records.get(to).kind().equals(kind)) {
      to++;
    }
    return to;
  }

  /** Writes {@code run} on {@code tx}, adding its keyed records' answers to {@code answers}. */
  private Future<Void> writeRun(
      Transaction tx, List<JournalRecord> run, List<IdempotentRequests.Replayed> answers) {
    JournalKind kind = kinds.get(run.get(0).kind());
    if (kind == null) {
      return unknown(run.get(0));
    }
    List<JournalKind.Write> writes =
        run.stream()
            .map(record -> new JournalKind.Write(record.tenant(), requestOf(record)))
            .toList();
    return kind.replayAll(tx, writes)
        .map(
            replies -> {
              for (int i = 0; i < run.size(); i++) {
                answerOf(run.get(i), replies.get(i)).ifPresent(answers::add);
              }
              return null;
            });
  }

  /**
   * Writes {@code record} in a transaction of its own; when its kind finds it in the database
   * already, stores its key's answer only.
   */
  Future<Void> write(JournalRecord record) {
    JournalKind kind = kinds.get(record.kind());
    if (kind == null) {
      return unknown(record);
    }
    return Transaction.run(pool, tx -> writeInOrder(tx, List.of(record)))
        .recover(
            e ->
                kind.alreadyApplied(e)
                    ? Transaction.run(
                        pool,
                        tx ->
                            keys.storeAllReplayed(
                                tx,
                                answerOf(record, kind.appliedReply(requestOf(record))).stream()
                                    .toList()))
                    : Future.failedFuture(e));
  }

  private static Future<Void> unknown(JournalRecord record) {
    return Future.failedFuture(new UnknownKind(record.kind()));
  }

  /** A record of a kind this release does not know (journaled by another). */
  static final class UnknownKind extends IllegalStateException {
    UnknownKind(String kind) {
      super("no journal kind '" + kind + "' in this release");
    }
  }

  private static JsonObject requestOf(JournalRecord record) {
    return record.body().getJsonObject(JournalReplay.REQUEST);
  }

  /** The answer {@code record}'s key stores, when it has a key. */
  private static Optional<IdempotentRequests.Replayed> answerOf(
      JournalRecord record, JsonObject reply) {
    JsonObject envelope = record.body();
    return record
        .idempotencyKey()
        .map(
            key ->
                new IdempotentRequests.Replayed(
                    record.tenant(),
                    key,
                    envelope.getString(JournalReplay.REQUEST_HASH, ""),
                    envelope.getInteger(JournalReplay.STATUS, 202),
                    reply));
  }
}
