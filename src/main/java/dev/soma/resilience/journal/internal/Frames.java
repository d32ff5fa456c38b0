package dev.soma.resilience.journal.internal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The journal's on-disk frame: {@code magic (4) | payload length (4) | CRC32C (4) | sequence (8) |
 * payload}, big-endian. The checksum covers the sequence and the payload, so a frame whose header
 * or body was torn or flipped does not check. The magic lets a reader find the next frame after a
 * corrupt one.
 */
public final class Frames {

  public static final int MAGIC = 0x534A5231; // "SJR1"
  public static final int HEADER_BYTES = 20;

  /** Larger payloads are refused on write and taken for corruption on read. */
  public static final int MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

  private Frames() {}

  public static byte[] encode(long sequence, byte[] payload) {
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException(
          "a journal record holds at most "
              + MAX_PAYLOAD_BYTES
              + " bytes, but was "
              + payload.length);
    }
    ByteBuffer frame = ByteBuffer.allocate(HEADER_BYTES + payload.length);
    frame
        .putInt(MAGIC)
        .putInt(payload.length)
        .putInt(checksum(sequence, payload, 0, payload.length));
    frame.putLong(sequence).put(payload);
    return frame.array();
  }

  /**
   * The frame at {@code offset} of {@code bytes[0..end)}: its total length, or -1 when no whole,
   * valid frame starts there (torn, corrupt, or not a frame at all).
   */
  public static int validLength(byte[] bytes, int offset, int end) {
    if (end - offset < HEADER_BYTES) {
      return -1;
    }
    ByteBuffer header = ByteBuffer.wrap(bytes, offset, HEADER_BYTES);
    if (header.getInt() != MAGIC) {
      return -1;
    }
    int length = header.getInt();
    int stored = header.getInt();
    long sequence = header.getLong();
    if (length < 0 || length > MAX_PAYLOAD_BYTES || length > end - offset - HEADER_BYTES) {
      return -1;
    }
    return checksum(sequence, bytes, offset + HEADER_BYTES, length) == stored
        ? HEADER_BYTES + length
        : -1;
  }

  public static long sequence(byte[] bytes, int offset) {
    return ByteBuffer.wrap(bytes, offset + 12, 8).getLong();
  }

  private static int checksum(long sequence, byte[] payload, int from, int length) {
    CRC32C crc = new CRC32C();
    crc.update(ByteBuffer.allocate(8).putLong(0, sequence));
    crc.update(payload, from, length);
    return (int) crc.getValue();
  }
}
