package dev.soma.resilience.degradation.internal;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A local directory the service writes to (the local storage link): usable when it exists, or can
 * be made, and is writable. Runs on a worker thread: file system calls block.
 */
final class DirectoryProbe implements HealthProbe {

  private final Vertx vertx;
  private final Path dir;

  DirectoryProbe(Vertx vertx, Path dir) {
    this.vertx = vertx;
    this.dir = dir;
  }

  @Override
  public Future<Void> check() {
    return vertx.executeBlocking(
        () -> {
          Files.createDirectories(dir);
          if (!Files.isWritable(dir)) {
            throw new IOException(dir + " is not writable");
          }
          return null;
        },
        false);
  }
}
