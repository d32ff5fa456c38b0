package dev.soma.resilience.journal;

import dev.soma.resilience.journal.internal.SegmentFiles;
import dev.soma.resilience.journal.internal.SegmentScan;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Reads the records after a checkpoint back from the segment files, in sequence order, a window at
 * a time rather than a segment at once. It remembers where its last read stopped, so a replay that
 * moved the checkpoint exactly there reads on from that frame instead of scanning its segment from
 * the start again. A frame that cannot be read is passed over (recovery counted and logged it). Not
 * thread-safe: the journal's thread alone uses it.
 */
final class PendingReader {

  private static final int WINDOW_BYTES_PER_RECORD = 1024;
  private static final int MIN_WINDOW = 64 * 1024;

  private final SegmentFiles files;
  private ReadPosition readPosition;

  /**
   * Where the frame after record {@code afterSequence} begins ({@code offset} in {@code segment}).
   */
  private record ReadPosition(long afterSequence, Path segment, long offset) {}

  PendingReader(SegmentFiles files) {
    this.files = files;
  }

  /** Up to {@code max} readable records after record {@code replayed}, in order. */
  List<JournalRecord> after(long replayed, int max) throws IOException {
    List<JournalRecord> found = new ArrayList<>();
    for (SegmentFiles.Segment segment : files.from(replayed + 1)) {
      if (segment.lastSequence() <= replayed) {
        continue;
      }
      ReadPosition at = readPosition;
      boolean goOn =
          at != null && at.afterSequence() == replayed && at.segment().equals(segment.path());
      if (read(segment, goOn ? at.offset() : 0, replayed, found, max)) {
        break;
      }
    }
    return found;
  }

  /**
   * Adds the readable records after {@code replayed} found in {@code segment} from {@code offset}
   * on to {@code found}, reading it a window at a time, until {@code found} holds {@code max}; says
   * whether it does (and remembers where the next frame begins).
   */
  private boolean read(
      SegmentFiles.Segment segment, long offset, long replayed, List<JournalRecord> found, int max)
      throws IOException {
    try (FileChannel channel = FileChannel.open(segment.path(), StandardOpenOption.READ)) {
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
            readable(bytes, frame).ifPresent(found::add);
            if (found.size() >= max) {
              readPosition =
                  new ReadPosition(
                      frame.sequence(), segment.path(), at + frame.offset() + frame.length());
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

  /** The frame's record, or empty when it cannot be read. */
  private static Optional<JournalRecord> readable(byte[] bytes, SegmentScan.Frame frame) {
    try {
      return Optional.of(JournalRecord.fromFrame(bytes, frame));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
