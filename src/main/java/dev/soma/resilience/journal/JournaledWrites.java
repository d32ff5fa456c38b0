package dev.soma.resilience.journal;

import dev.soma.resilience.common.db.DatabaseErrors;
import dev.soma.resilience.common.db.Transaction;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Makes a write of a {@link JournalKind} in PostgreSQL, in a transaction of its own, or journals it
 * while PostgreSQL cannot be reached, for writers that are not one HTTP request (a chat turn's
 * messages, an upload's queue entry, a degradation event). While the journal holds records not yet
 * replayed, every write is journaled, so that none overtakes a journaled one. Without a journal (a
 * node that keeps none), the write is only tried in the database.
 *
 * <p>A journaled record's body is the envelope {@link JournalReplay} reads; {@link Keyed} puts an
 * {@code Idempotency-Key} on it, whose answer the replay stores with the write.
 */
public final class JournaledWrites {

  /** No limit on a write's wait for PostgreSQL (a {@link #withoutJournal} node's). */
  private static final Duration UNBOUNDED = Duration.ofDays(1);

  private final Pool pool;
  private final Optional<Journal> journal;
  private final Clock clock;
  private final long answerMillis;

  /**
   * {@code answerTimeout}: how long a write waits for PostgreSQL before it counts PostgreSQL
   * unreachable and journals the write (the transaction left waiting may still commit later: the
   * replay takes a write already there as done).
   */
  public JournaledWrites(
      Pool pool, Optional<Journal> journal, Clock clock, Duration answerTimeout) {
    this.pool = pool;
    this.journal = journal;
    this.clock = clock;
    this.answerMillis = answerTimeout.toMillis();
  }

  /** Writes made in the database only (no journal on this node), waiting as long as it takes. */
  public static JournaledWrites withoutJournal(Pool pool) {
    return new JournaledWrites(pool, Optional.empty(), Clock.systemUTC(), UNBOUNDED);
  }

  /** What a write came to: the kind's reply, live or journaled ({@link JournalKind}). */
  public record Outcome(JsonObject reply, boolean journaled) {}

  /**
   * An {@code Idempotency-Key} for a journaled record: the key, the request's fingerprint and the
   * HTTP status its stored answer gets after the replay.
   */
  public record Keyed(String key, String requestHash, int status) {}

  /** Whether writes are journaled now whatever the database says (records wait for a replay). */
  public boolean journaling() {
    return journal.map(j -> j.pendingRecords() > 0).orElse(false);
  }

  /** The journal, when this node keeps one. */
  public Optional<Journal> journal() {
    return journal;
  }

  /** As {@link #write(JournalKind, String, JsonObject, Optional)} without a key. */
  public Future<Outcome> write(JournalKind kind, String tenant, JsonObject request) {
    return write(kind, tenant, request, Optional.empty());
  }

  /**
   * Makes the write, or journals it (see the class); completes once it is committed or on disk.
   * Fails as the database did when it is reachable, with {@link JournalFullException} when the
   * journal is full, with {@link Journal.KeyJournaled} when {@code keyed}'s key is journaled
   * already.
   */
  public Future<Outcome> write(
      JournalKind kind, String tenant, JsonObject request, Optional<Keyed> keyed) {
    if (journaling()) {
      return append(kind, tenant, request, keyed);
    }
    return Transaction.run(pool, tx -> kind.apply(tx, tenant, request))
        .timeout(answerMillis, TimeUnit.MILLISECONDS)
        .map(reply -> new Outcome(reply, false))
        .recover(
            e ->
                journal.isPresent() && DatabaseErrors.isUnreachable(e)
                    ? append(kind, tenant, request, keyed)
                    : Future.failedFuture(e));
  }

  private Future<Outcome> append(
      JournalKind kind, String tenant, JsonObject request, Optional<Keyed> keyed) {
    JsonObject envelope = new JsonObject().put(JournalReplay.REQUEST, request);
    keyed.ifPresent(
        k ->
            envelope
                .put(JournalReplay.STATUS, k.status())
                .put(JournalReplay.REQUEST_HASH, k.requestHash()));
    return journal
        .orElseThrow()
        .append(
            JournalRecord.of(
                kind.name(),
                tenant,
                kind.dedupeKey(tenant, request),
                keyed.map(Keyed::key),
                envelope,
                clock.millis()))
        .map(written -> new Outcome(kind.journaledReply(request), true));
  }
}
