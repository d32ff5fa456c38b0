package dev.soma.resilience.common;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Files that survive a crash once written: the journal's checkpoint and quarantine copies, the
 * upload spool's files, the local object store. Every call blocks on the disk; call it from a
 * worker or a thread of one's own, never from an event loop.
 */
public final class DurableFiles {

  private DurableFiles() {}

  /**
   * Writes {@code bytes} to {@code target} durably and atomically: to a {@code .tmp} sibling of its
   * own first (a unique name, so concurrent writers of one target never share it; deleted if the
   * write fails), fsynced, then renamed over {@code target}, and the rename made durable. A crash
   * leaves the old content or the new, never a part; the directory must exist.
   */
  public static void writeAtomically(Path target, byte[] bytes) throws IOException {
    publish(
        target,
        temp -> {
          try (FileChannel channel =
              FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
              channel.write(buffer);
            }
            channel.force(true);
          }
        });
  }

  /** Copies {@code source} to {@code target} as {@link #writeAtomically} writes. */
  public static void copyAtomically(Path source, Path target) throws IOException {
    publish(
        target,
        temp -> {
          Files.copy(source, temp);
          try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            channel.force(true);
          }
        });
  }

  /** Makes a directory entry's creation, rename or removal in {@code dir} durable. */
  public static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  private interface TempWriter {
    void write(Path temp) throws IOException;
  }

  private static void publish(Path target, TempWriter writer) throws IOException {
    Path temp = target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      writer.write(temp);
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    syncDirectory(target.getParent());
  }
}
