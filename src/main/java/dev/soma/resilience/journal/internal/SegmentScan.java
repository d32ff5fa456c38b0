package dev.soma.resilience.journal.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * What a segment's bytes hold: its valid frames in order, the ranges between them that are not
 * frames (corruption: to be quarantined, never skipped silently), and whether it ends in a torn
 * frame (a crash mid-write: everything from {@link #validEnd} on is not a frame, and no valid frame
 * follows).
 *
 * @param frames offset and length of every valid frame, in file order
 * @param corrupt byte ranges {@code [from, to)} followed by a valid frame
 * @param validEnd where the last valid frame ends (the file's length when nothing is torn)
 * @param length the bytes scanned
 */
public record SegmentScan(List<Frame> frames, List<Range> corrupt, int validEnd, int length) {

  public record Frame(int offset, int length, long sequence) {}

  public record Range(int from, int to) {}

  /** Whether bytes after the last valid frame are left over (a torn last write). */
  public boolean torn() {
    return validEnd < length;
  }

  /** Scans {@code bytes[0..length)}. */
  public static SegmentScan of(byte[] bytes, int length) {
    List<Frame> frames = new ArrayList<>();
    List<Range> corrupt = new ArrayList<>();
    int offset = 0;
    int validEnd = 0;
    while (offset < length) {
      int frame = Frames.validLength(bytes, offset, length);
      if (frame > 0) {
        frames.add(new Frame(offset, frame, Frames.sequence(bytes, offset)));
        offset += frame;
        validEnd = offset;
        continue;
      }
      int next = nextFrame(bytes, offset + 1, length);
      if (next < 0) {
        break; // nothing valid follows: a torn tail
      }
      corrupt.add(new Range(offset, next));
      offset = next;
    }
    return new SegmentScan(List.copyOf(frames), List.copyOf(corrupt), validEnd, length);
  }

  private static int nextFrame(byte[] bytes, int from, int length) {
    for (int at = from; at + Frames.HEADER_BYTES <= length; at++) {
      if (Frames.validLength(bytes, at, length) > 0) {
        return at;
      }
    }
    return -1;
  }
}
