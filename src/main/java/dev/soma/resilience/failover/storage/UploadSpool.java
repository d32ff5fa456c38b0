package dev.soma.resilience.failover.storage;

import dev.soma.resilience.common.DurableFiles;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable spool under {@code storage.spoolDir}: uploads too large for the bus are spilled to
 * {@code incoming/} by the caller ({@link #spill}) and passed on by reference; queued uploads wait
 * in {@code queued/}. Every write is fsynced (file and directory) on a worker thread before its
 * future completes, so a completed spill survives a crash. A reference names a file of this node's
 * spool: with a clustered bus, the caller and the storage verticle must share the directory. Files
 * no marker points to are removed by {@link #sweep} once old enough.
 */
public final class UploadSpool {

  private static final Logger LOG = LoggerFactory.getLogger(UploadSpool.class);

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

  /** Deletes a spilled upload once it is stored: nothing else would. {@code file} null: none. */
  public Future<Void> forget(Path file) {
    if (file == null) {
      return Future.succeededFuture();
    }
    return io.executeBlocking(
        () -> {
          Files.deleteIfExists(file);
          return null;
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
   * Deletes the files of {@code incoming/} and {@code queued/} (markers aside) last modified before
   * {@code before} that no marker points to: spills never sent or whose request failed, bytes left
   * by a crash; completes with how many. Deletes nothing while a marker cannot be read (it may
   * point to any of them).
   */
  public Future<Integer> sweep(Instant before) {
    return io.executeBlocking(
        () -> {
          Set<Path> kept = new HashSet<>();
          for (Path marker : list(queuedDir())) {
            if (marker.getFileName().toString().endsWith(".json")) {
              try {
                JsonObject json = new JsonObject(Files.readString(marker, StandardCharsets.UTF_8));
                kept.add(root.resolve(json.getString("bytes")).normalize());
                kept.add(marker.normalize());
              } catch (IOException | RuntimeException e) {
                LOG.error("spool not swept: unreadable upload marker {}: {}", marker, e.toString());
                return 0;
              }
            }
          }
          int deleted = 0;
          for (Path dir : List.of(root.resolve("incoming"), queuedDir())) {
            for (Path file : list(dir)) {
              if (Files.isRegularFile(file)
                  && !kept.contains(file.normalize())
                  && Files.getLastModifiedTime(file).toInstant().isBefore(before)
                  && Files.deleteIfExists(file)) {
                LOG.warn("spool file {} no marker points to is deleted", file);
                deleted++;
              }
            }
          }
          return deleted;
        },
        false);
  }

  private static List<Path> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.toList();
    }
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
