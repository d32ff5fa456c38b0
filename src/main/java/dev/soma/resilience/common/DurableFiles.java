package dev.soma.resilience.common;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Files that survive a crash once written: the journal's checkpoint and quarantine copies, the
 * upload spool's files. Every call blocks on the disk; call it from a worker or a thread of one's
 * own, never from an event loop.
 */
public final class DurableFiles {

  private DurableFiles() {}

  /**
   * Writes {@code bytes} to {@code target} durably and atomically: to a {@code .tmp} sibling first,
   * fsynced, then renamed over {@code target}, and the rename made durable. A crash leaves the old
   * content or the new, never a part; the directory must exist.
   */
  public static void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path temp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel channel =
        FileChannel.open(
            temp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(target.getParent());
  }

  /** Makes a directory entry's creation, rename or removal in {@code dir} durable. */
  public static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
