package dev.soma.resilience.journal;

import dev.soma.resilience.journal.internal.SegmentFiles;
import dev.soma.resilience.journal.internal.SegmentScan;
import dev.soma.resilience.journal.internal.Segments;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's start-up scan, before its thread starts: reads the checkpoint, then every segment.
 * A torn last frame (a crash mid-write) is cut off, logged and counted; bytes that are not a valid
 * frame anywhere else (in the middle of a segment, or at the end of one that is not the last) are
 * copied to {@code quarantine/}, logged and counted, and left for every read to skip; a frame that
 * checks but cannot be read as a record is logged and counted. Blocking.
 */
final class JournalRecovery {

  private static final Logger LOG = LoggerFactory.getLogger(JournalRecovery.class);

  private final Path dir;
  private final JournalCounts counts;
  private final SegmentFiles files;
  private final Consumer<JournalRecord> onPending;
  private final long replayed;
  private long nextSequence;
  private long oldestPendingAt;

  /**
   * What the scan found: the last replayed sequence (the checkpoint), the next sequence to give,
   * and when the oldest record not yet replayed was journaled (millis; 0 when none is readable).
   */
  record Found(long replayed, long nextSequence, long oldestPendingAt) {}

  private JournalRecovery(
      Path dir, JournalCounts counts, SegmentFiles files, Consumer<JournalRecord> onPending)
      throws IOException {
    this.dir = dir;
    this.counts = counts;
    this.files = files;
    this.onPending = onPending;
    this.replayed = replayedThrough(dir);
    this.nextSequence = replayed + 1;
  }

  /**
   * Scans the journal in {@code dir}: each segment goes into {@code files} (the last one opened for
   * appends), each readable record after the checkpoint to {@code onPending}, in sequence order.
   */
  static Found run(
      Path dir, JournalCounts counts, SegmentFiles files, Consumer<JournalRecord> onPending)
      throws IOException {
    Files.createDirectories(dir);
    JournalRecovery recovery = new JournalRecovery(dir, counts, files, onPending);
    List<Path> segments = Segments.list(dir);
    for (int i = 0; i < segments.size(); i++) {
      recovery.segment(segments.get(i), i == segments.size() - 1);
    }
    long pending = recovery.nextSequence - 1 - recovery.replayed;
    if (pending > 0) {
      LOG.warn(
          "the journal in {} holds {} record(s) not yet written into the database: they are"
              + " replayed when it answers",
          dir,
          pending);
    }
    files.openLast();
    return new Found(recovery.replayed, recovery.nextSequence, recovery.oldestPendingAt);
  }

  /** The checkpoint in {@code dir}: the last replayed sequence, 0 before the first. */
  static long replayedThrough(Path dir) throws IOException {
    Path checkpoint = dir.resolve(Journal.CHECKPOINT);
    return Files.exists(checkpoint)
        ? Long.parseLong(Files.readString(checkpoint, StandardCharsets.US_ASCII).trim())
        : 0;
  }

  private void segment(Path path, boolean last) throws IOException {
    byte[] bytes = Files.readAllBytes(path);
    SegmentScan scan = SegmentScan.of(bytes, bytes.length);
    for (SegmentScan.Range range : scan.corrupt()) {
      quarantine(path, bytes, range.from(), range.to());
    }
    long size = bytes.length;
    if (scan.torn()) {
      if (last) {
        cutTornTail(path, bytes, scan);
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
        pending(bytes, frame);
      }
    }
    nextSequence = Math.max(nextSequence, lastSequence + 1);
    files.found(path, lastSequence, size);
  }

  private void cutTornTail(Path path, byte[] bytes, SegmentScan scan) throws IOException {
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
  }

  private void quarantine(Path segment, byte[] bytes, int from, int to) throws IOException {
    Path copy = Quarantine.copyRange(dir, segment, bytes, from, to);
    counts.corrupt.incrementAndGet();
    LOG.error(
        "journal segment {} holds {} corrupt bytes at offset {}: copied to {}, skipped by replays",
        segment.getFileName(),
        to - from,
        from,
        copy);
  }

  /** A record not yet replayed: handed on; an unreadable one is logged and counted. */
  private void pending(byte[] bytes, SegmentScan.Frame frame) {
    JournalRecord record;
    try {
      record = JournalRecord.fromFrame(bytes, frame);
    } catch (RuntimeException e) {
      counts.corrupt.incrementAndGet();
      LOG.error(
          "journal record {} checks but cannot be read: skipped ({})",
          frame.sequence(),
          e.toString());
      return;
    }
    if (oldestPendingAt == 0) {
      oldestPendingAt = record.journaledAtMillis();
    }
    onPending.accept(record);
  }
}
