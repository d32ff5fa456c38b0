package dev.soma.resilience.journal;

import dev.soma.resilience.common.db.DatabaseErrors;
import dev.soma.resilience.common.db.Transaction;
import dev.soma.resilience.idempotency.IdempotentRequests;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the journal's records into PostgreSQL once it answers again, in journal order, with their
 * {@code Idempotency-Key}'s stored answers, then moves the journal's checkpoint past them. Records
 * are written {@code batch} at a time in one transaction: each run of consecutive records of one
 * kind by its kind's {@link JournalKind#replayAll} (for messages and tool results, one statement
 * per table for the whole run), the runs one after the other, so their rows and events keep journal
 * order; then the keyed records' answers, in one statement. The checkpoint moves after each batch's
 * commit. When a batch fails for any reason but the database's absence, it is rolled back and its
 * records are written again one per transaction: a record the database already holds (a replay
 * after a crash, before its checkpoint) is then taken as done. A record the database refuses for
 * its data ({@link DatabaseErrors#isRefusal}: its tenant gone, a value it cannot take) or whose
 * kind this release does not know is set aside ({@link Journal#setAside}: copied to {@code
 * quarantine/}), logged, counted and passed, while its neighbours are written; so is one that fails
 * without the database's part (its request malformed). Any other failure (the database gone, busy,
 * out of connections, a deadlock) ends the round, to go on from the first record not yet committed
 * at the next: a record acknowledged to its client is never passed for a failure that may pass.
 *
 * <p>The envelope a journaled request is kept in: {@code {"request": <the kind's request>,
 * "status": <the HTTP status to store>, "requestHash": <the key's fingerprint, with a key>}}.
 */
public final class JournalReplay extends VerticleBase {

  public static final String REQUEST = "request";
  public static final String STATUS = "status";
  public static final String REQUEST_HASH = "requestHash";

  private static final Logger LOG = LoggerFactory.getLogger(JournalReplay.class);

  private final Journal journal;
  private final Pool pool;
  private final ReplayWriter writer;
  private final Duration interval;
  private final int batch;
  private final AtomicLong replayedRecords = new AtomicLong();
  private final AtomicLong failedRecords = new AtomicLong();
  private long timer = -1;
  private boolean running;
  private long stuckAt = -1; // the record the last round stopped at (logged once)

  public JournalReplay(
      Journal journal,
      Pool pool,
      Map<String, JournalKind> kinds,
      IdempotentRequests keys,
      Duration interval,
      int batch) {
    if (batch < 1) {
      throw new IllegalArgumentException(
          "a replay batch holds at least 1 record, but was " + batch);
    }
    this.journal = journal;
    this.pool = pool;
    this.writer = new ReplayWriter(pool, kinds, keys);
    this.interval = interval;
    this.batch = batch;
  }

  /** Records written into the database since start. */
  public long replayed() {
    return replayedRecords.get();
  }

  /** Records that could not be written and were set aside and passed (logged one by one). */
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
        .pending(batch)
        .compose(this::replayBatch)
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

  /**
   * Writes {@code records} in one transaction and moves the checkpoint past them; when that fails
   * (and the database is there), writes them one by one. Completes with whether every record was
   * done (false: the database went away).
   */
  private Future<Boolean> replayBatch(List<JournalRecord> records) {
    if (records.size() < 2) {
      return replay(records.iterator(), -1);
    }
    long last = records.get(records.size() - 1).sequence();
    return Transaction.run(pool, tx -> writer.writeInOrder(tx, records))
        .compose(
            v -> {
              replayedRecords.addAndGet(records.size());
              return checkpoint(last).map(true);
            },
            e -> {
              if (DatabaseErrors.isUnreachable(e)) {
                return Future.succeededFuture(false);
              }
              LOG.info(
                  "a replay batch of journal records {}-{} failed ({}): writing them one by one",
                  records.get(0).sequence(),
                  last,
                  e.toString());
              return replay(records.iterator(), -1);
            });
  }

  /** Replays in order; completes with whether every record was done (false: stopped early). */
  private Future<Boolean> replay(Iterator<JournalRecord> records, long done) {
    if (!records.hasNext()) {
      return checkpoint(done).map(true);
    }
    JournalRecord record = records.next();
    return writer
        .write(record)
        .onSuccess(v -> replayedRecords.incrementAndGet())
        .compose(
            v -> replay(records, record.sequence()),
            e -> {
              if (!settled(record, e)) {
                return checkpoint(done).map(false); // tried again at the next round
              }
              return journal
                  .setAside(record, e.toString())
                  .compose(
                      copy -> {
                        failedRecords.incrementAndGet();
                        LOG.error(
                            "journal record {} ({}, tenant {}, key {}) cannot be replayed: set"
                                + " aside in {} and passed",
                            record.sequence(),
                            record.kind(),
                            record.tenant(),
                            record.dedupeKey(),
                            copy,
                            e);
                        return replay(records, record.sequence());
                      },
                      notCopied -> {
                        // kept in the journal, tried again at the next round
                        LOG.error(
                            "journal record {} cannot be replayed ({}) nor set aside: {}",
                            record.sequence(),
                            e.toString(),
                            notCopied.toString());
                        return checkpoint(done).map(false);
                      });
            });
  }

  /**
   * Whether {@code record}'s failure {@code e} is final: the database refused its data, its kind is
   * unknown, or it failed without the database's part in it (its request malformed). Any other
   * failure may pass (the database gone, busy, out of connections, a deadlock, or a schema a later
   * release brings): the record is tried again at the next round, and logged when it first fails.
   */
  private boolean settled(JournalRecord record, Throwable e) {
    if (e instanceof ReplayWriter.UnknownKind
        || DatabaseErrors.isRefusal(e)
        || !DatabaseErrors.involvesDatabase(e)) {
      return true;
    }
    if (record.sequence() != stuckAt && !DatabaseErrors.isUnreachable(e)) {
      stuckAt = record.sequence(); // logged once a record; the database gone is said elsewhere
      LOG.warn(
          "journal record {} ({}, tenant {}) failed ({}): tried again until it is written",
          record.sequence(),
          record.kind(),
          record.tenant(),
          e.toString());
    }
    return false;
  }

  private Future<Void> checkpoint(long done) {
    return done < 0 ? Future.succeededFuture() : journal.replayedThrough(done);
  }

  /** The kinds by name, for the constructor. */
  public static Map<String, JournalKind> byName(List<JournalKind> kinds) {
    Map<String, JournalKind> named = new java.util.HashMap<>();
    kinds.forEach(kind -> named.put(kind.name(), kind));
    return named;
  }
}
