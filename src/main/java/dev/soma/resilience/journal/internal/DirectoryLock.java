package dev.soma.resilience.journal.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exclusive lock on a file, held by one process (and one holder in it) until {@link #release}d:
 * the journal's one writer. The operating system releases it when the process dies. Blocking.
 */
public final class DirectoryLock {

  private static final Logger LOG = LoggerFactory.getLogger(DirectoryLock.class);

  private final FileChannel file;
  private final FileLock lock;

  private DirectoryLock(FileChannel file, FileLock lock) {
    this.file = file;
    this.lock = lock;
  }

  /** The lock on {@code file} (created if missing), or empty when another holder has it. */
  public static Optional<DirectoryLock> tryAcquire(Path file) throws IOException {
    FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      return Optional.empty();
    }
    return Optional.of(new DirectoryLock(channel, lock));
  }

  public void release() {
    try {
      lock.release();
      file.close();
    } catch (IOException e) {
      LOG.warn("journal lock not released cleanly: {}", e.toString());
    }
  }
}
