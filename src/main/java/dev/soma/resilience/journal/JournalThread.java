package dev.soma.resilience.journal;

import dev.soma.resilience.common.DurableFiles;
import dev.soma.resilience.journal.internal.DirectoryLock;
import dev.soma.resilience.journal.internal.Frames;
import dev.soma.resilience.journal.internal.SegmentFiles;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's one thread and the file work it does, in the order asked: appends that arrive
 * together are numbered, framed, written and flushed once (group commit), reads of the pending
 * records and checkpoints run between groups, and a stop closes the files and releases the lock. It
 * keeps the sequence numbers: the next to give, the checkpoint, and when the oldest record pending
 * was journaled; those may be read from any thread.
 */
final class JournalThread {

  private static final Logger LOG = LoggerFactory.getLogger(JournalThread.class);
  private static final int MAX_GROUP = 1024;

  private final JournalSettings settings;
  private final SegmentFiles files;
  private final PendingReader reader;
  private final JournalCounts counts;
  private final PendingKeys keys;
  private final DirectoryLock lock;
  private final BlockingQueue<JournalTask> tasks = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile long nextSequence;
  private volatile long replayed;
  private volatile long oldestPendingAt; // millis; 0 when nothing is pending
  private volatile boolean closed;

  /** Ready to {@link #start} where {@code recovered} left the journal. */
  JournalThread(
      JournalSettings settings,
      SegmentFiles files,
      JournalCounts counts,
      PendingKeys keys,
      DirectoryLock lock,
      JournalRecovery.Found recovered) {
    this.settings = settings;
    this.files = files;
    this.reader = new PendingReader(files);
    this.counts = counts;
    this.keys = keys;
    this.lock = lock;
    this.nextSequence = recovered.nextSequence();
    this.replayed = recovered.replayed();
    this.oldestPendingAt = recovered.oldestPendingAt();
    this.thread = new Thread(this::run, "journal-" + settings.dir().getFileName());
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Records appended and not yet replayed. */
  long pendingRecords() {
    return nextSequence - 1 - replayed;
  }

  /** When the oldest record pending was journaled (millis); meaningful while any is pending. */
  long oldestPendingAt() {
    return oldestPendingAt;
  }

  Future<JournalRecord> append(JournalRecord record) {
    return submit(new JournalTask.Append(record));
  }

  Future<List<JournalRecord>> pending(int max) {
    return submit(new JournalTask.Call<>(() -> readPending(max)));
  }

  Future<Void> replayedThrough(long sequence) {
    return submit(
        new JournalTask.Call<>(
            () -> {
              checkpoint(sequence);
              return null;
            }));
  }

  /**
   * Copies {@code record} to {@code quarantine/record-<sequence>.json} with {@code reason},
   * durably, for a person to look at; completes with the copy's path.
   */
  Future<Path> setAside(JournalRecord record, String reason) {
    return submit(
        new JournalTask.Call<>(() -> Quarantine.setAside(settings.dir(), record, reason)));
  }

  /** Refuses new tasks, lets those asked finish, then stops (waiting up to 10 s). */
  void stop() {
    closed = true;
    tasks.add(new JournalTask.Stop());
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private <T> Future<T> submit(JournalTask task) {
    @SuppressWarnings("unchecked")
    Future<T> future = (Future<T>) task.future();
    synchronized (tasks) { // against failed(): no task is queued after its last look
      if (closed) {
        return Future.failedFuture(new IllegalStateException("the journal is closed"));
      }
      tasks.add(task);
    }
    return future;
  }

  private void run() {
    List<JournalTask> batch = new ArrayList<>();
    try {
      work(batch);
    } catch (RuntimeException | Error e) {
      failed(batch, e);
    }
  }

  /**
   * The thread cannot go on (a failure nobody expected): every task asked, now and later, fails at
   * once rather than waiting for a thread that is gone; the journal takes writes again after a
   * restart, which recovers it from its files.
   */
  private void failed(List<JournalTask> batch, Throwable e) {
    LOG.error("the journal's thread failed: the journal is closed until the service restarts", e);
    synchronized (tasks) {
      closed = true;
      tasks.drainTo(batch);
    }
    IllegalStateException gone = new IllegalStateException("the journal's thread failed", e);
    batch.forEach(task -> task.fail(gone));
    try {
      files.closeActive();
    } finally {
      lock.release();
    }
  }

  private void work(List<JournalTask> batch) {
    while (true) {
      try {
        batch.add(tasks.take());
      } catch (InterruptedException e) {
        return;
      }
      tasks.drainTo(batch, MAX_GROUP);
      List<JournalTask.Append> group = new ArrayList<>();
      for (JournalTask task : batch) {
        if (task instanceof JournalTask.Append append) {
          group.add(append);
          continue;
        }
        write(group);
        group.clear();
        if (task instanceof JournalTask.Stop) {
          files.closeActive();
          lock.release();
          batch.clear();
          return;
        }
        ((JournalTask.Call<?>) task).run();
      }
      write(group);
      batch.clear();
    }
  }

  private void write(List<JournalTask.Append> group) {
    if (group.isEmpty()) {
      return;
    }
    List<JournalTask.Append> accepted = new ArrayList<>();
    ByteBuffer bytes;
    long first = nextSequence;
    try {
      files.rollIfDue(nextSequence);
      bytes = frame(group, accepted);
    } catch (IOException | RuntimeException e) {
      nextSequence = first;
      group.forEach(a -> a.fail(e));
      return;
    }
    if (accepted.isEmpty()) {
      return;
    }
    long before = -1;
    try {
      before = files.activeSize();
      long start = System.nanoTime();
      files.writeAndFlush(bytes);
      counts.recordFlush(System.nanoTime() - start, accepted.size());
    } catch (IOException e) {
      LOG.error(
          "journal write failed; cutting the group's {} records back off", accepted.size(), e);
      files.cutBack(before);
      nextSequence = first;
      accepted.forEach(a -> a.fail(e));
      return;
    }
    if (first - 1 == replayed) {
      oldestPendingAt = accepted.get(0).numbered.journaledAtMillis();
      LOG.warn(
          "writes are being journaled in {} (from record {}): they wait there for the database",
          settings.dir(),
          first);
    }
    files.appended(nextSequence - 1, bytes.limit());
    for (JournalTask.Append append : accepted) {
      keys.index(append.numbered);
      append.complete(append.numbered);
    }
  }

  /**
   * The group's records numbered and framed, as one buffer to write: those that fit under the cap
   * are added to {@code accepted}; the others (too large, or beyond the cap) fail at once.
   */
  private ByteBuffer frame(List<JournalTask.Append> group, List<JournalTask.Append> accepted) {
    List<byte[]> frames = new ArrayList<>();
    long size = 0;
    for (JournalTask.Append append : group) {
      JournalRecord numbered = append.record.withSequence(nextSequence);
      byte[] frame;
      try {
        frame = Frames.encode(numbered.sequence(), append.payload);
      } catch (IllegalArgumentException tooLarge) {
        append.fail(tooLarge);
        continue;
      }
      if (files.bytes() + size + frame.length > settings.maxBytes()) {
        counts.full.incrementAndGet();
        append.fail(new JournalFullException(settings.maxBytes()));
        continue;
      }
      nextSequence++;
      append.numbered = numbered;
      frames.add(frame);
      accepted.add(append);
      size += frame.length;
    }
    ByteBuffer bytes = ByteBuffer.allocate((int) size);
    frames.forEach(bytes::put);
    bytes.flip();
    return bytes;
  }

  private List<JournalRecord> readPending(int max) throws IOException {
    List<JournalRecord> found = reader.after(replayed, max);
    if (!found.isEmpty()) {
      oldestPendingAt = found.get(0).journaledAtMillis();
    }
    if (found.isEmpty() && nextSequence - 1 > replayed) {
      // all that is left unreplayed is unreadable (quarantined): pass it, or it would hold every
      // later write in the journal
      checkpoint(nextSequence - 1);
    }
    return found;
  }

  private void checkpoint(long sequence) throws IOException {
    if (sequence <= replayed) {
      return;
    }
    DurableFiles.writeAtomically(
        settings.dir().resolve(Journal.CHECKPOINT),
        Long.toString(sequence).getBytes(StandardCharsets.US_ASCII));
    replayed = sequence;
    keys.replayedThrough(sequence);
    files.deleteThrough(sequence);
  }
}
