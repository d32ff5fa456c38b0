package dev.soma.resilience.journal.internal;

import dev.soma.resilience.common.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's segment files: each with the last sequence it holds and its size, their total, and
 * the last one, open for appends. A new segment begins when the last one is full ({@code
 * segmentBytes}) or old ({@code segmentAge}); segments wholly replayed are deleted, never the last.
 * Blocking, for the journal's one thread (and its recovery before that thread starts); only {@link
 * #bytes} may be read from any thread.
 */
public final class SegmentFiles {

  private static final Logger LOG = LoggerFactory.getLogger(SegmentFiles.class);

  private final Path dir;
  private final long segmentBytes;
  private final Duration segmentAge;
  private final Clock clock;
  private final TreeMap<Long, Segment> segments = new TreeMap<>();
  private final AtomicLong totalBytes = new AtomicLong();
  private FileChannel active;
  private long activeOpenedAt;

  public SegmentFiles(Path dir, long segmentBytes, Duration segmentAge, Clock clock) {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    this.segmentAge = segmentAge;
    this.clock = clock;
  }

  /** One segment file: where it is, the last sequence it holds, its size. */
  public static final class Segment {
    private final Path path;
    private long lastSequence;
    private long bytes;

    Segment(Path path, long lastSequence, long bytes) {
      this.path = path;
      this.lastSequence = lastSequence;
      this.bytes = bytes;
    }

    public Path path() {
      return path;
    }

    public long lastSequence() {
      return lastSequence;
    }
  }

  /** Bytes of segments on disk. */
  public long bytes() {
    return totalBytes.get();
  }

  /** Recovery: a segment found on disk, holding records up to {@code lastSequence}. */
  public void found(Path path, long lastSequence, long size) {
    segments.put(Segments.firstSequence(path), new Segment(path, lastSequence, size));
    totalBytes.addAndGet(size);
  }

  /** Recovery's end: the last segment found is the one appended to. */
  public void openLast() throws IOException {
    if (!segments.isEmpty()) {
      Segment last = segments.lastEntry().getValue();
      active = FileChannel.open(last.path, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      activeOpenedAt = clock.millis();
    }
  }

  /** The segments that may hold records from {@code sequence} on, in order. */
  public Collection<Segment> from(long sequence) {
    Long from = segments.floorKey(sequence);
    return (from == null ? segments : segments.tailMap(from, true)).values();
  }

  /**
   * Begins a new segment at {@code nextSequence} if the last one is full or old (or none is open).
   */
  public void rollIfDue(long nextSequence) throws IOException {
    Segment last = segments.isEmpty() ? null : segments.lastEntry().getValue();
    boolean due =
        active == null
            || last.bytes >= segmentBytes
            || clock.millis() - activeOpenedAt >= segmentAge.toMillis();
    if (!due) {
      return;
    }
    activeOpenedAt = clock.millis();
    if (active != null && last.bytes == 0) {
      return; // an empty segment is not worth a new file
    }
    closeActive();
    Path path = Segments.path(dir, nextSequence);
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
    // known before the directory's sync, which may fail: records appended to a segment the reads
    // do not know would be passed by the replay as unreadable
    segments.put(nextSequence, new Segment(path, nextSequence - 1, 0));
    DurableFiles.syncDirectory(dir);
  }

  /** The size of the segment appended to, before a write: where {@link #cutBack} cuts to. */
  public long activeSize() throws IOException {
    return active.size();
  }

  /** Writes {@code bytes} at the end of the last segment and flushes them to disk. */
  public void writeAndFlush(ByteBuffer bytes) throws IOException {
    while (bytes.hasRemaining()) {
      active.write(bytes);
    }
    active.force(false);
  }

  /** After a write that reached the disk: the last segment now ends with {@code lastSequence}. */
  public void appended(long lastSequence, long bytes) {
    Segment segment = segments.lastEntry().getValue();
    segment.lastSequence = lastSequence;
    segment.bytes += bytes;
    totalBytes.addAndGet(bytes);
  }

  /** After a failed write: cuts the last segment back to {@code size} (none when negative). */
  public void cutBack(long size) {
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

  /**
   * Deletes the segments (the last one excepted) whose records all come at or before {@code
   * sequence}.
   */
  public void deleteThrough(long sequence) throws IOException {
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
      DurableFiles.syncDirectory(dir);
    }
  }

  public void closeActive() {
    if (active != null) {
      try {
        active.close();
      } catch (IOException e) {
        LOG.warn("journal segment did not close cleanly: {}", e.toString());
      }
      active = null;
    }
  }
}
