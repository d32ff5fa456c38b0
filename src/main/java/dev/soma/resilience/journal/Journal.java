package dev.soma.resilience.journal;

import dev.soma.resilience.journal.internal.Frames;
import dev.soma.resilience.journal.internal.SegmentScan;
import dev.soma.resilience.journal.internal.Segments;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only local journal of writes that PostgreSQL could not take, replayed into it later.
 *
 * <p><b>Durability.</b> {@link #append} completes only once its record is on disk ({@code fsync}):
 * appends that arrive together share one write and one flush (group commit), so many requests pay
 * for one flush. A failed write is cut back off the file, and every append of its group fails:
 * nothing is half-written. Beyond {@link JournalSettings#maxBytes} an append fails with {@link
 * JournalFullException} and writes nothing.
 *
 * <p><b>Recovery.</b> {@link #open} scans every segment: a torn last frame (a crash mid-write) is
 * cut off, logged and counted; bytes in the middle that are not a valid frame are copied to {@code
 * quarantine/}, logged and counted, and skipped by every read (never silently, never a crash).
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

  private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
  private static final int MAX_GROUP = 1024;
  private static final int WINDOW_BYTES_PER_RECORD = 1024;
  private static final int MIN_WINDOW = 64 * 1024;

  private final JournalSettings settings;
  private final Clock clock;
  private final BlockingQueue<JournalTask> tasks = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final TreeMap<Long, Segment> segments = new TreeMap<>();
  private final Map<String, JournalRecord> pendingKeys = new ConcurrentHashMap<>();
  private final AtomicLong totalBytes = new AtomicLong();
  private final JournalCounts counts = new JournalCounts();
  private volatile long nextSequence;
  private volatile long replayed;
  private volatile long oldestPendingAt; // millis; 0 when nothing is pending
  private FileChannel active;
  private long activeOpenedAt;
  private volatile boolean closed;
  private FileChannel lockFile;
  private FileLock lock;
  private ReadPosition readPosition; // journal thread only

  /**
   * Where the frame after record {@code afterSequence} begins ({@code offset} in the segment that
   * begins at {@code segment}): a replay that moved the checkpoint exactly there reads on from it
   * instead of scanning its segment from the start again.
   */
  private record ReadPosition(long afterSequence, long segment, long offset) {}

  private static final class Segment {
    final Path path;
    long lastSequence;
    long bytes;

    Segment(Path path, long lastSequence, long bytes) {
      this.path = path;
      this.lastSequence = lastSequence;
      this.bytes = bytes;
    }
  }

  private Journal(JournalSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.thread = new Thread(this::run, "journal-" + settings.dir().getFileName());
    this.thread.setDaemon(true);
  }

  /**
   * Opens (recovering) or creates the journal in {@code settings.dir()}. Blocking. Fails with
   * {@link JournalInUseException} when another process has it open (one writer per journal).
   */
  public static Journal open(JournalSettings settings, Clock clock) throws IOException {
    Journal journal = new Journal(settings, clock);
    journal.lock();
    try {
      journal.recover();
    } catch (IOException | RuntimeException e) {
      journal.unlock();
      throw e;
    }
    journal.thread.start();
    return journal;
  }

  private void lock() throws IOException {
    Files.createDirectories(settings.dir());
    lockFile =
        FileChannel.open(
            settings.dir().resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      lock = lockFile.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      lockFile.close();
      throw new JournalInUseException(settings.dir());
    }
  }

  private void unlock() {
    try {
      if (lock != null) {
        lock.release();
      }
      lockFile.close();
    } catch (IOException e) {
      LOG.warn("journal lock not released cleanly: {}", e.toString());
    }
  }

  /** What recovery and appends found and did, for metrics and {@code journal inspect}. */
  public JournalCounts counts() {
    return counts;
  }

  /**
   * Records appended and not yet replayed (a corrupt record counts until the checkpoint passes it).
   */
  public long pendingRecords() {
    return nextSequence - 1 - replayed;
  }

  /** Bytes of segments on disk. */
  public long bytes() {
    return totalBytes.get();
  }

  /** The cap: appends beyond it are refused. */
  public long capacityBytes() {
    return settings.maxBytes();
  }

  /** Whether an append of a small record would be taken now (the journal is below its cap). */
  public boolean hasRoom() {
    return totalBytes.get() < settings.maxBytes();
  }

  /**
   * When the oldest record not yet replayed was journaled (millis), or 0 when none is waiting.
   * Exact while nothing is replayed; during a replay it lags by at most one batch.
   */
  public long oldestPendingAtMillis() {
    return pendingRecords() == 0 ? 0 : oldestPendingAt;
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
    return Optional.ofNullable(pendingKeys.get(keyOf(tenant, idempotencyKey)));
  }

  /**
   * Appends {@code record}; completes with it (and its sequence) once it is durable. A record whose
   * {@code Idempotency-Key} the journal holds already (pending, or being appended) is refused with
   * {@link KeyJournaled}, so that one key is journaled once.
   */
  public Future<JournalRecord> append(JournalRecord record) {
    if (record.idempotencyKey().isPresent()) {
      String key = keyOf(record.tenant(), record.idempotencyKey().get());
      JournalRecord earlier = pendingKeys.putIfAbsent(key, record);
      if (earlier != null) {
        return Future.failedFuture(new KeyJournaled(earlier));
      }
      return this.<JournalRecord>submit(new JournalTask.Append(record))
          .onFailure(e -> pendingKeys.remove(key, record));
    }
    return submit(new JournalTask.Append(record));
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
    return submit(new JournalTask.Call<>(() -> readPending(max)));
  }

  /** Moves the checkpoint to {@code sequence} and deletes the segments wholly before it. */
  public Future<Void> replayedThrough(long sequence) {
    return submit(
        new JournalTask.Call<>(
            () -> {
              checkpoint(sequence);
              return null;
            }));
  }

  @Override
  public void close() {
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
    if (closed) {
      return Future.failedFuture(new IllegalStateException("the journal is closed"));
    }
    tasks.add(task);
    return future;
  }

  // ---- the journal's thread

  private void run() {
    List<JournalTask> batch = new ArrayList<>();
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
          closeActive();
          unlock();
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
      rollIfDue();
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
        if (totalBytes.get() + size + frame.length > settings.maxBytes()) {
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
      bytes = ByteBuffer.allocate((int) size);
      frames.forEach(bytes::put);
      bytes.flip();
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
      before = active.size();
      long start = System.nanoTime();
      while (bytes.hasRemaining()) {
        active.write(bytes);
      }
      active.force(false);
      counts.recordFlush(System.nanoTime() - start, accepted.size());
    } catch (IOException e) {
      LOG.error(
          "journal write failed; cutting the group's {} records back off", accepted.size(), e);
      cutBack(before);
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
    Segment segment = segments.lastEntry().getValue();
    segment.lastSequence = nextSequence - 1;
    segment.bytes += bytes.limit();
    totalBytes.addAndGet(bytes.limit());
    for (JournalTask.Append append : accepted) {
      index(append.numbered);
      append.complete(append.numbered);
    }
  }

  private void cutBack(long size) {
    try {
      if (size >= 0) {
        active.truncate(size);
        active.force(false);
      }
    } catch (IOException e) {
      LOG.error("journal segment could not be cut back to {} bytes; closing it", size, e);
      closeActive();
    }
  }

  private void rollIfDue() throws IOException {
    Segment last = segments.isEmpty() ? null : segments.lastEntry().getValue();
    boolean due =
        active == null
            || last.bytes >= settings.segmentBytes()
            || clock.millis() - activeOpenedAt >= settings.segmentAge().toMillis();
    if (!due) {
      return;
    }
    activeOpenedAt = clock.millis();
    if (active != null && last.bytes == 0) {
      return; // an empty segment is not worth a new file
    }
    closeActive();
    Path path = Segments.path(settings.dir(), nextSequence);
    if (last != null && last.path.equals(path)) {
      // begun at this sequence and still without a record: reuse it, cut to what it holds
      active = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      active.truncate(last.bytes);
      return;
    }
    active =
        FileChannel.open(
            path,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE,
            StandardOpenOption.APPEND);
    Segments.syncDirectory(settings.dir());
    segments.put(nextSequence, new Segment(path, nextSequence - 1, 0));
  }

  private void closeActive() {
    if (active != null) {
      try {
        active.close();
      } catch (IOException e) {
        LOG.warn("journal segment did not close cleanly: {}", e.toString());
      }
      active = null;
    }
  }

  private List<JournalRecord> readPending(int max) throws IOException {
    List<JournalRecord> found = new ArrayList<>();
    Long from = segments.floorKey(replayed + 1);
    for (Map.Entry<Long, Segment> entry :
        (from == null ? segments : segments.tailMap(from, true)).entrySet()) {
      if (entry.getValue().lastSequence <= replayed) {
        continue;
      }
      ReadPosition at = readPosition;
      boolean goOn = at != null && at.afterSequence() == replayed && at.segment() == entry.getKey();
      if (read(entry.getKey(), entry.getValue(), goOn ? at.offset() : 0, found, max)) {
        break;
      }
    }
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

  /**
   * Adds the readable records after the checkpoint found in {@code segment} from {@code offset} on
   * to {@code found}, reading it a window at a time, until {@code found} holds {@code max}; says
   * whether it does (and remembers where the next frame begins).
   */
  private boolean read(long first, Segment segment, long offset, List<JournalRecord> found, int max)
      throws IOException {
    try (FileChannel channel = FileChannel.open(segment.path, StandardOpenOption.READ)) {
      long end = channel.size();
      long at = offset;
      // about what max records take (a longer frame is read whole below): the frames read past
      // them are checked for nothing
      long window = Math.max(MIN_WINDOW, (long) (max - found.size()) * WINDOW_BYTES_PER_RECORD);
      while (at < end) {
        byte[] bytes = readAt(channel, at, (int) Math.min(end - at, window));
        SegmentScan scan = SegmentScan.of(bytes, bytes.length);
        if (scan.frames().isEmpty() && at + bytes.length < end) {
          // a frame (or a corrupt stretch) longer than the window: the rest of the segment at once
          bytes = readAt(channel, at, (int) (end - at));
          scan = SegmentScan.of(bytes, bytes.length);
        }
        if (scan.frames().isEmpty()) {
          return false;
        }
        for (SegmentScan.Frame frame : scan.frames()) {
          if (frame.sequence() > replayed) {
            decode(bytes, frame, false).ifPresent(found::add);
            if (found.size() >= max) {
              readPosition =
                  new ReadPosition(frame.sequence(), first, at + frame.offset() + frame.length());
              return true;
            }
          }
        }
        at += scan.validEnd();
      }
      return false;
    }
  }

  private static byte[] readAt(FileChannel channel, long position, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        break;
      }
    }
    return buffer.position() == length
        ? buffer.array()
        : Arrays.copyOf(buffer.array(), buffer.position());
  }

  private void checkpoint(long sequence) throws IOException {
    if (sequence <= replayed) {
      return;
    }
    Segments.writeAtomically(
        settings.dir().resolve(CHECKPOINT),
        Long.toString(sequence).getBytes(StandardCharsets.US_ASCII));
    replayed = sequence;
    pendingKeys.values().removeIf(r -> r.sequence() > 0 && r.sequence() <= sequence);
    List<Long> done = new ArrayList<>();
    for (Map.Entry<Long, Segment> entry : segments.entrySet()) {
      boolean isActive = entry.getKey().equals(segments.lastKey());
      if (!isActive && entry.getValue().lastSequence <= sequence) {
        done.add(entry.getKey());
      }
    }
    for (Long first : done) {
      Segment segment = segments.remove(first);
      Files.deleteIfExists(segment.path);
      totalBytes.addAndGet(-segment.bytes);
    }
    if (!done.isEmpty()) {
      Segments.syncDirectory(settings.dir());
    }
  }

  // ---- recovery (before the thread starts)

  /** The checkpoint in {@code dir}: the last replayed sequence, 0 before the first. */
  static long replayedThrough(Path dir) throws IOException {
    Path checkpoint = dir.resolve(CHECKPOINT);
    return Files.exists(checkpoint)
        ? Long.parseLong(Files.readString(checkpoint, StandardCharsets.US_ASCII).trim())
        : 0;
  }

  private void recover() throws IOException {
    Files.createDirectories(settings.dir());
    replayed = replayedThrough(settings.dir());
    nextSequence = replayed + 1;
    List<Path> files = Segments.list(settings.dir());
    for (int i = 0; i < files.size(); i++) {
      recoverSegment(files.get(i), i == files.size() - 1);
    }
    if (pendingRecords() > 0) {
      LOG.warn(
          "the journal in {} holds {} record(s) not yet written into the database: they are"
              + " replayed when it answers",
          settings.dir(),
          pendingRecords());
    }
    if (!segments.isEmpty()) {
      Segment last = segments.lastEntry().getValue();
      active = FileChannel.open(last.path, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      activeOpenedAt = clock.millis();
    }
  }

  private void recoverSegment(Path path, boolean last) throws IOException {
    byte[] bytes = Files.readAllBytes(path);
    SegmentScan scan = SegmentScan.of(bytes, bytes.length);
    for (SegmentScan.Range range : scan.corrupt()) {
      quarantine(path, bytes, range.from(), range.to());
    }
    long size = bytes.length;
    if (scan.torn()) {
      if (last) {
        LOG.warn(
            "journal segment {} ends in a torn record ({} bytes after offset {}): cut off",
            path.getFileName(),
            bytes.length - scan.validEnd(),
            scan.validEnd());
        counts.torn.incrementAndGet();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
          channel.truncate(scan.validEnd());
          channel.force(true);
        }
        size = scan.validEnd();
      } else {
        quarantine(path, bytes, scan.validEnd(), bytes.length);
      }
    }
    long firstSequence = Segments.firstSequence(path);
    long lastSequence = firstSequence - 1;
    for (SegmentScan.Frame frame : scan.frames()) {
      lastSequence = Math.max(lastSequence, frame.sequence());
      if (frame.sequence() > replayed) {
        decode(bytes, frame, true)
            .ifPresent(
                record -> {
                  if (oldestPendingAt == 0) {
                    oldestPendingAt = record.journaledAtMillis();
                  }
                  index(record);
                });
      }
    }
    nextSequence = Math.max(nextSequence, lastSequence + 1);
    segments.put(firstSequence, new Segment(path, lastSequence, size));
    totalBytes.addAndGet(size);
  }

  private void quarantine(Path segment, byte[] bytes, int from, int to) throws IOException {
    Path dir = settings.dir().resolve(QUARANTINE);
    Files.createDirectories(dir);
    Path copy = dir.resolve(segment.getFileName() + "-" + from + ".bad");
    if (!Files.exists(copy)) {
      Segments.writeAtomically(copy, Arrays.copyOfRange(bytes, from, to));
    }
    counts.corrupt.incrementAndGet();
    LOG.error(
        "journal segment {} holds {} corrupt bytes at offset {}: copied to {}, skipped by replays",
        segment.getFileName(),
        to - from,
        from,
        copy);
  }

  /** The frame's record; an unreadable one is logged and counted when {@code report} (recovery). */
  private Optional<JournalRecord> decode(byte[] bytes, SegmentScan.Frame frame, boolean report) {
    try {
      return Optional.of(JournalRecord.fromFrame(bytes, frame));
    } catch (RuntimeException e) {
      if (!report) {
        return Optional.empty();
      }
      counts.corrupt.incrementAndGet();
      LOG.error(
          "journal record {} checks but cannot be read: skipped ({})",
          frame.sequence(),
          e.toString());
      return Optional.empty();
    }
  }

  private void index(JournalRecord record) {
    record.idempotencyKey().ifPresent(key -> pendingKeys.put(keyOf(record.tenant(), key), record));
  }

  private static String keyOf(String tenant, String idempotencyKey) {
    return tenant + '\n' + idempotencyKey;
  }
}
