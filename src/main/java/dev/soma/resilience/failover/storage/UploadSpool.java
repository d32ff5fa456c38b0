package dev.soma.resilience.failover.storage;

import dev.soma.resilience.common.DurableFiles;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The durable spool under {@code storage.spoolDir}: uploads too large for the bus are spilled to
 * {@code incoming/} by the caller ({@link #spill}) and passed on by reference; queued uploads wait
 * in {@code queued/}. Every write is fsynced (file and directory) on a worker thread before its
 * future completes, so a completed spill survives a crash. A reference names a file of this node's
 * spool: with a clustered bus, the caller and the storage verticle must share the directory.
 */
public final class UploadSpool {

  private static final Pattern REFERENCE = Pattern.compile("[0-9a-f-]{36}");

  private final Path root;
  private final WorkerExecutor io;

  public UploadSpool(Path root, WorkerExecutor io) {
    this.root = root;
    this.io = io;
  }

  /** Writes {@code bytes} durably to {@code incoming/}; completes with their reference. */
  public Future<String> spill(byte[] bytes) {
    String reference = UUID.randomUUID().toString();
    return io.executeBlocking(
        () -> {
          writeDurably(incoming(reference), bytes);
          return reference;
        },
        false);
  }

  static boolean isReference(String value) {
    return value != null && REFERENCE.matcher(value).matches();
  }

  public Path incoming(String reference) {
    if (!isReference(reference)) {
      throw new IllegalArgumentException("not a spool reference: " + reference);
    }
    return root.resolve("incoming").resolve(reference + ".bin");
  }

  public Path queuedDir() {
    return root.resolve("queued");
  }

  /**
   * Creates {@code file}'s directory if need be, then {@link DurableFiles#writeAtomically};
   * blocking.
   */
  public static void writeDurably(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.getParent());
    DurableFiles.writeAtomically(file, bytes);
  }
}
