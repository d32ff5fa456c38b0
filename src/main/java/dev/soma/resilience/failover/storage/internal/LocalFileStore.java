package dev.soma.resilience.failover.storage.internal;

import dev.soma.resilience.common.DurableFiles;
import dev.soma.resilience.config.StorageConfig;
import dev.soma.resilience.failover.storage.ObjectKey;
import dev.soma.resilience.failover.storage.UploadSpool;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The local filesystem. An object is written to {@code <dir>/hashed/<tenant>/<hh>/<sha>.bin}, where
 * {@code <sha>} is the SHA-256 of its key (hex) and {@code <hh>} its first two characters, with a
 * {@code <sha>.meta.json} beside it ({@code {"key", "contentType"}}); each file through a temporary
 * file of its own, fsynced and renamed into place on a worker thread ({@link DurableFiles}).
 *
 * <p>A key never becomes a path of directories: keys such as {@code a} and {@code a/x}, which S3
 * and Redis both hold side by side, would make one a file and the other need it as a directory, and
 * the second could never be written (a failure of the link, not of the request, feeding the shared
 * breaker). Every name is of fixed length too.
 *
 * <p>Objects written by earlier versions, in the key's tree {@code <dir>/data/<tenant>/<key>}
 * (media type in {@code <dir>/meta/<tenant>/<key>}), are still read when the hashed layout does not
 * have the key; a new write goes to the hashed layout, which is read first.
 */
public final class LocalFileStore implements ObjectStore {

  private final StorageConfig.Local config;
  private final WorkerExecutor io;

  public LocalFileStore(StorageConfig.Local config, WorkerExecutor io) {
    this.config = config;
    this.io = io;
  }

  @Override
  public String name() {
    return "local";
  }

  @Override
  public boolean configured() {
    return config.enabled();
  }

  @Override
  public Future<Instant> put(ObjectKey key, Payload payload) {
    return io.executeBlocking(
        () -> {
          Path data = data(config.dir(), key);
          if (payload.inline() != null) {
            UploadSpool.writeDurably(data, payload.inline());
          } else {
            Files.createDirectories(data.getParent());
            DurableFiles.copyAtomically(payload.file(), data);
          }
          JsonObject meta =
              new JsonObject().put("key", key.key()).put("contentType", payload.contentType());
          UploadSpool.writeDurably(meta(config.dir(), key), meta.toBuffer().getBytes());
          return null;
        },
        false);
  }

  @Override
  public Future<Optional<StoredObject>> get(ObjectKey key) {
    return io.executeBlocking(
        () -> {
          Path data = data(config.dir(), key);
          if (Files.isRegularFile(data)) {
            Path meta = meta(config.dir(), key);
            String type =
                Files.isRegularFile(meta)
                    ? new JsonObject(Files.readString(meta, StandardCharsets.UTF_8))
                        .getString("contentType", "application/octet-stream")
                    : "application/octet-stream";
            return Optional.of(new StoredObject(type, Files.readAllBytes(data)));
          }
          return legacy(key);
        },
        false);
  }

  /** An object in the layout of earlier versions ({@code data/} and {@code meta/}), if there. */
  private Optional<StoredObject> legacy(ObjectKey key) throws IOException {
    Path data = config.dir().resolve("data").resolve(key.path());
    if (!Files.isRegularFile(data)) {
      return Optional.empty();
    }
    Path meta = config.dir().resolve("meta").resolve(key.path());
    String type =
        Files.isRegularFile(meta)
            ? Files.readString(meta, StandardCharsets.UTF_8)
            : "application/octet-stream";
    return Optional.of(new StoredObject(type, Files.readAllBytes(data)));
  }

  /** Where the bytes of {@code key} are written under {@code dir} (the store's directory). */
  public static Path data(Path dir, ObjectKey key) {
    return hashed(dir, key, ".bin");
  }

  /** Where the key and media type of {@code key} are written under {@code dir}. */
  public static Path meta(Path dir, ObjectKey key) {
    return hashed(dir, key, ".meta.json");
  }

  private static Path hashed(Path dir, ObjectKey key, String suffix) {
    String sha = sha256(key.key());
    return dir.resolve("hashed")
        .resolve(key.tenantId())
        .resolve(sha.substring(0, 2))
        .resolve(sha + suffix);
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
