package dev.soma.resilience.journal;

import dev.soma.resilience.common.db.DatabaseErrors;
import dev.soma.resilience.common.db.Transaction;
import dev.soma.resilience.idempotency.IdempotentRequests;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the journal's records into PostgreSQL once it answers again, in journal order, each in its
 * own transaction with its {@code Idempotency-Key}'s stored answer, then moves the journal's
 * checkpoint past them. A record the database already holds (a replay after a crash, before its
 * checkpoint) is taken as done; a record that cannot be written for another reason (its kind
 * unknown, its tenant gone) is logged, counted and passed, never retried forever; the database
 * going away again ends the round, to go on from the same record later.
 *
 * <p>The envelope a journaled request is kept in: {@code {"request": <the kind's request>,
 * "status": <the HTTP status to store>, "requestHash": <the key's fingerprint, with a key>}}.
 */
public final class JournalReplay extends VerticleBase {

  public static final String REQUEST = "request";
  public static final String STATUS = "status";
  public static final String REQUEST_HASH = "requestHash";

  private static final Logger LOG = LoggerFactory.getLogger(JournalReplay.class);
  private static final int BATCH = 100;

  private final Journal journal;
  private final Pool pool;
  private final Map<String, JournalKind> kinds;
  private final IdempotentRequests keys;
  private final Duration interval;
  private final AtomicLong replayedRecords = new AtomicLong();
  private final AtomicLong failedRecords = new AtomicLong();
  private long timer = -1;
  private boolean running;

  public JournalReplay(
      Journal journal,
      Pool pool,
      Map<String, JournalKind> kinds,
      IdempotentRequests keys,
      Duration interval) {
    this.journal = journal;
    this.pool = pool;
    this.kinds = Map.copyOf(kinds);
    this.keys = keys;
    this.interval = interval;
  }

  /** Records written into the database since start. */
  public long replayed() {
    return replayedRecords.get();
  }

  /** Records that could not be written and were passed (logged one by one). */
  public long failed() {
    return failedRecords.get();
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(interval.toMillis(), id -> round());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void round() {
    if (running || journal.pendingRecords() == 0) {
      return;
    }
    running = true;
    journal
        .pending(BATCH)
        .compose(records -> replay(records.iterator(), -1))
        .onComplete(
            ar -> {
              running = false;
              if (ar.succeeded() && ar.result() && journal.pendingRecords() > 0) {
                vertx.runOnContext(v -> round()); // a backlog: go on at once
              } else if (ar.succeeded() && journal.pendingRecords() == 0) {
                LOG.info(
                    "the journal is replayed: {} record(s) written into the database since start,"
                        + " {} passed",
                    replayedRecords.get(),
                    failedRecords.get());
              }
            });
  }

  /** Replays in order; completes with whether every record was done (false: stopped early). */
  private Future<Boolean> replay(Iterator<JournalRecord> records, long done) {
    if (!records.hasNext()) {
      return checkpoint(done).map(true);
    }
    JournalRecord record = records.next();
    return write(record)
        .compose(
            v -> replay(records, record.sequence()),
            e -> {
              if (DatabaseErrors.isUnreachable(e)) {
                return checkpoint(done).map(false);
              }
              failedRecords.incrementAndGet();
              LOG.error(
                  "journal record {} ({}, tenant {}, key {}) cannot be replayed and is passed",
                  record.sequence(),
                  record.kind(),
                  record.tenant(),
                  record.dedupeKey(),
                  e);
              return replay(records, record.sequence());
            });
  }

  private Future<Void> checkpoint(long done) {
    return done < 0 ? Future.succeededFuture() : journal.replayedThrough(done);
  }

  private Future<Void> write(JournalRecord record) {
    JournalKind kind = kinds.get(record.kind());
    if (kind == null) {
      return Future.failedFuture(
          new IllegalStateException("no journal kind '" + record.kind() + "' in this release"));
    }
    JsonObject envelope = record.body();
    JsonObject request = envelope.getJsonObject(REQUEST);
    return Transaction.run(
            pool,
            tx ->
                kind.replay(tx, record.tenant(), request)
                    .compose(reply -> storeKey(tx, record, reply)))
        .recover(
            e ->
                kind.alreadyApplied(e)
                    ? Transaction.run(pool, tx -> storeKey(tx, record, kind.appliedReply(request)))
                    : Future.failedFuture(e))
        .onSuccess(v -> replayedRecords.incrementAndGet());
  }

  private Future<Void> storeKey(Transaction tx, JournalRecord record, JsonObject reply) {
    if (record.idempotencyKey().isEmpty()) {
      return Future.succeededFuture();
    }
    JsonObject envelope = record.body();
    return keys.storeReplayed(
        tx,
        record.tenant(),
        record.idempotencyKey().get(),
        envelope.getString(REQUEST_HASH, ""),
        envelope.getInteger(STATUS, 202),
        reply);
  }

  /** The kinds by name, for the constructor. */
  public static Map<String, JournalKind> byName(List<JournalKind> kinds) {
    Map<String, JournalKind> named = new java.util.HashMap<>();
    kinds.forEach(kind -> named.put(kind.name(), kind));
    return named;
  }
}
