package dev.soma.resilience.journal;

import dev.soma.resilience.journal.internal.DirectoryLock;
import dev.soma.resilience.journal.internal.SegmentFiles;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * An append-only local journal of writes that PostgreSQL could not take, replayed into it later.
 *
 * <p><b>Durability.</b> {@link #append} completes only once its record is on disk ({@code fsync}):
 * appends that arrive together share one write and one flush (group commit), so many requests pay
 * for one flush. A failed write is cut back off the file, and every append of its group fails:
 * nothing is half-written. Beyond {@link JournalSettings#maxBytes} an append fails with {@link
 * JournalFullException} and writes nothing.
 *
 * <p><b>Recovery.</b> {@link #open} scans every segment ({@code JournalRecovery}): a torn last
 * frame (a crash mid-write) is cut off, logged and counted; bytes in the middle that are not a
 * valid frame are copied to {@code quarantine/}, logged and counted, and skipped by every read
 * (never silently, never a crash).
 *
 * <p><b>Replay.</b> {@link #pending} reads the records after the checkpoint, in sequence order
 * (when the checkpoint is where the last {@code pending} ended, it reads on from there instead of
 * scanning the segment again); {@link #replayedThrough} moves the checkpoint (written atomically
 * and durably) and deletes the segments wholly before it. A crash between a replay and its
 * checkpoint replays those records again: the replay must be idempotent (the tables' unique keys
 * make it so).
 *
 * <p><b>Threads.</b> All file work runs on the journal's own thread, in the order asked; futures
 * complete on the caller's Vert.x context. Nothing here blocks an event loop except {@link #open},
 * which is for a worker thread.
 */
public final class Journal implements AutoCloseable {

  static final String CHECKPOINT = "replayed.seq";
  static final String LOCK = "journal.lock";
  static final String QUARANTINE = "quarantine";

  private final JournalSettings settings;
  private final Clock clock;
  private final SegmentFiles files;
  private final JournalCounts counts;
  private final PendingKeys keys;
  private final JournalThread thread;

  private Journal(
      JournalSettings settings,
      Clock clock,
      SegmentFiles files,
      JournalCounts counts,
      PendingKeys keys,
      JournalThread thread) {
    this.settings = settings;
    this.clock = clock;
    this.files = files;
    this.counts = counts;
    this.keys = keys;
    this.thread = thread;
  }

  /**
   * Opens (recovering) or creates the journal in {@code settings.dir()}. Blocking. Fails with
   * {@link JournalInUseException} when another process has it open (one writer per journal).
   */
  public static Journal open(JournalSettings settings, Clock clock) throws IOException {
    Files.createDirectories(settings.dir());
    DirectoryLock lock =
        DirectoryLock.tryAcquire(settings.dir().resolve(LOCK))
            .orElseThrow(() -> new JournalInUseException(settings.dir()));
    SegmentFiles files =
        new SegmentFiles(settings.dir(), settings.segmentBytes(), settings.segmentAge(), clock);
    JournalCounts counts = new JournalCounts();
    PendingKeys keys = new PendingKeys();
    JournalRecovery.Found recovered;
    try {
      recovered = JournalRecovery.run(settings.dir(), counts, files, keys::index);
    } catch (IOException | RuntimeException e) {
      lock.release();
      throw e;
    }
    JournalThread thread = new JournalThread(settings, files, counts, keys, lock, recovered);
    thread.start();
    return new Journal(settings, clock, files, counts, keys, thread);
  }

  /** What recovery and appends found and did, for metrics and {@code journal inspect}. */
  public JournalCounts counts() {
    return counts;
  }

  /**
   * Records appended and not yet replayed (a corrupt record counts until the checkpoint passes it).
   */
  public long pendingRecords() {
    return thread.pendingRecords();
  }

  /** Bytes of segments on disk. */
  public long bytes() {
    return files.bytes();
  }

  /** The cap: appends beyond it are refused. */
  public long capacityBytes() {
    return settings.maxBytes();
  }

  /** Whether an append of a small record would be taken now (the journal is below its cap). */
  public boolean hasRoom() {
    return files.bytes() < settings.maxBytes();
  }

  /**
   * When the oldest record not yet replayed was journaled (millis), or 0 when none is waiting.
   * Exact while nothing is replayed; during a replay it lags by at most one batch.
   */
  public long oldestPendingAtMillis() {
    return pendingRecords() == 0 ? 0 : thread.oldestPendingAt();
  }

  /**
   * The journal as {@code /v1/status} shows it: {@code state} ({@code idle}, or {@code journaling}
   * while records wait to be replayed: new writes are journaled until they are), {@code records},
   * {@code bytes}, {@code capBytes} and {@code oldestAgeSeconds}.
   */
  public JsonObject describe() {
    long records = pendingRecords();
    long oldest = oldestPendingAtMillis();
    return new JsonObject()
        .put("state", records > 0 ? "journaling" : "idle")
        .put("records", records)
        .put("bytes", bytes())
        .put("capBytes", capacityBytes())
        .put("oldestAgeSeconds", oldest == 0 ? 0 : Math.max(0, (clock.millis() - oldest) / 1000));
  }

  /** The pending record a client's {@code Idempotency-Key} names, if any. */
  public Optional<JournalRecord> pendingWithKey(String tenant, String idempotencyKey) {
    return keys.get(tenant, idempotencyKey);
  }

  /**
   * Appends {@code record}; completes with it (and its sequence) once it is durable. A record whose
   * {@code Idempotency-Key} the journal holds already (pending, or being appended) is refused with
   * {@link KeyJournaled}, so that one key is journaled once.
   */
  public Future<JournalRecord> append(JournalRecord record) {
    if (record.idempotencyKey().isPresent()) {
      Optional<JournalRecord> earlier = keys.claim(record);
      if (earlier.isPresent()) {
        return Future.failedFuture(new KeyJournaled(earlier.get()));
      }
      return thread.append(record).onFailure(e -> keys.giveBack(record));
    }
    return thread.append(record);
  }

  /** An append refused because its {@code Idempotency-Key} is journaled already. */
  public static final class KeyJournaled extends RuntimeException {
    private final transient JournalRecord earlier;

    KeyJournaled(JournalRecord earlier) {
      super("this Idempotency-Key is journaled already", null, false, false);
      this.earlier = earlier;
    }

    /** The record journaled first under the key. */
    public JournalRecord earlier() {
      return earlier;
    }
  }

  /** Up to {@code max} records after the checkpoint, in sequence order. */
  public Future<List<JournalRecord>> pending(int max) {
    return thread.pending(max);
  }

  /** Moves the checkpoint to {@code sequence} and deletes the segments wholly before it. */
  public Future<Void> replayedThrough(long sequence) {
    return thread.replayedThrough(sequence);
  }

  /**
   * Copies {@code record}, which cannot be replayed, with why to {@code quarantine/}, durably, so
   * that passing it loses nothing a person cannot find; completes with the copy's path.
   */
  public Future<Path> setAside(JournalRecord record, String reason) {
    return thread.setAside(record, reason);
  }

  @Override
  public void close() {
    thread.stop();
  }
}
