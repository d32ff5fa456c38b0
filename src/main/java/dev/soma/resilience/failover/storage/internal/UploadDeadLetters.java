package dev.soma.resilience.failover.storage.internal;

import dev.soma.resilience.common.DurableFiles;
import dev.soma.resilience.failover.chain.ChainExhausted;
import dev.soma.resilience.failover.storage.UploadSpool;
import dev.soma.resilience.outbox.DeadLetterCounter;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a queued upload that keeps failing stops being tried: a try in which a link was called and
 * failed counts in its marker's {@code attempts}; after {@code maxAttempts}, or at once when a link
 * rejected it as wrong, marker and bytes move to {@code dead/} (never swept, never tried again),
 * logged at ERROR and counted. For {@link UploadQueue}; event-loop confined, file work on {@code
 * io}.
 */
final class UploadDeadLetters {

  private static final Logger LOG = LoggerFactory.getLogger(UploadDeadLetters.class);

  private final Path spool;
  private final WorkerExecutor io;
  private final Clock clock;
  private final int maxAttempts;
  private final DeadLetterCounter deadLetters;

  UploadDeadLetters(
      Path spool, WorkerExecutor io, Clock clock, int maxAttempts, DeadLetterCounter deadLetters) {
    this.spool = spool;
    this.io = io;
    this.clock = clock;
    this.maxAttempts = maxAttempts;
    this.deadLetters = deadLetters;
  }

  /**
   * Counts a try that called a link and failed in the marker; sets the upload aside as a dead
   * letter after {@code maxAttempts} such tries, or at once when a link rejected it as wrong.
   */
  Future<Void> notStored(JsonObject marker, Throwable failure) {
    String uploadId = marker.getString("uploadId");
    String where = marker.getString("tenantId") + "/" + marker.getString("key");
    if (!(failure instanceof ChainExhausted walk) || walk.calls() == 0) {
      // every link refused (breakers open, held off) or the database failed: not this upload's try
      LOG.debug("queued upload {} for {} still waits: {}", uploadId, where, failure.getMessage());
      return Future.succeededFuture();
    }
    int attempts = marker.getInteger("attempts", 0) + 1;
    JsonObject tried =
        marker.copy().put("attempts", attempts).put("lastError", failure.getMessage());
    boolean rejected = walk.why() == ChainExhausted.Why.REJECTED;
    if (!rejected && attempts < maxAttempts) {
      LOG.info(
          "queued upload {} for {} still waits after {} of {} tries: {}",
          uploadId,
          where,
          attempts,
          maxAttempts,
          failure.getMessage());
      return io.executeBlocking(
          () -> {
            UploadSpool.writeDurably(
                spool.resolve("queued").resolve(uploadId + ".json"), tried.toBuffer().getBytes());
            return null;
          },
          false);
    }
    LOG.error(
        "queued upload {} for {} is a dead letter after {} tries{}: {}; its marker and bytes are"
            + " in {} (move both back to queued/ to try again)",
        uploadId,
        where,
        attempts,
        rejected ? " (rejected as wrong)" : "",
        failure.getMessage(),
        spool.resolve("dead"));
    return io.<Void>executeBlocking(() -> bury(tried), false)
        .onSuccess(ignored -> deadLetters.increment());
  }

  /**
   * Moves a queued upload to {@code dead/}: its dead marker first, then its bytes, then its queued
   * marker goes. A crash in between leaves it queued (tried again, buried again) or a queued marker
   * whose bytes are gone (removed by the next round); the dead letter is whole either way.
   * Blocking.
   */
  private Void bury(JsonObject marker) throws IOException {
    String uploadId = marker.getString("uploadId");
    Path dead = spool.resolve("dead");
    Path bytes = spool.resolve(marker.getString("bytes"));
    Path buried = dead.resolve(uploadId + ".bin");
    JsonObject letter =
        marker
            .copy()
            .put("bytes", spool.relativize(buried).toString())
            .put("deadAt", clock.instant().toString());
    UploadSpool.writeDurably(dead.resolve(uploadId + ".json"), letter.toBuffer().getBytes());
    Files.move(bytes, buried, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    DurableFiles.syncDirectory(dead);
    Files.deleteIfExists(spool.resolve("queued").resolve(uploadId + ".json"));
    return null;
  }
}
