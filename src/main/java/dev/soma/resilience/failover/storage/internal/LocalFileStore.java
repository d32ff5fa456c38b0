package dev.soma.resilience.failover.storage.internal;

import dev.soma.resilience.common.DurableFiles;
import dev.soma.resilience.config.StorageConfig;
import dev.soma.resilience.failover.storage.ObjectKey;
import dev.soma.resilience.failover.storage.UploadSpool;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * The local filesystem: {@code <dir>/data/<tenant>/<key>} with its media type in {@code
 * <dir>/meta/<tenant>/<key>}, each written to a temporary file of its own, fsynced and renamed into
 * place on a worker thread ({@link DurableFiles}).
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
          Path data = data(key);
          if (payload.inline() != null) {
            UploadSpool.writeDurably(data, payload.inline());
          } else {
            Files.createDirectories(data.getParent());
            DurableFiles.copyAtomically(payload.file(), data);
          }
          UploadSpool.writeDurably(
              meta(key), payload.contentType().getBytes(StandardCharsets.UTF_8));
          return null;
        },
        false);
  }

  @Override
  public Future<Optional<StoredObject>> get(ObjectKey key) {
    return io.executeBlocking(
        () -> {
          Path data = data(key);
          if (!Files.isRegularFile(data)) {
            return Optional.empty();
          }
          Path meta = meta(key);
          String type =
              Files.isRegularFile(meta)
                  ? Files.readString(meta, StandardCharsets.UTF_8)
                  : "application/octet-stream";
          return Optional.of(new StoredObject(type, Files.readAllBytes(data)));
        },
        false);
  }

  private Path data(ObjectKey key) {
    return config.dir().resolve("data").resolve(key.path());
  }

  private Path meta(ObjectKey key) {
    return config.dir().resolve("meta").resolve(key.path());
  }
}
