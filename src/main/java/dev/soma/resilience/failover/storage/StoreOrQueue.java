package dev.soma.resilience.failover.storage;

import dev.soma.resilience.failover.storage.internal.AlreadyQueued;
import dev.soma.resilience.failover.storage.internal.Payload;
import dev.soma.resilience.failover.storage.internal.StorageChain;
import dev.soma.resilience.failover.storage.internal.UploadQueue;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What becomes of an upload: stored through the chain (a spilled file then leaves the spool), else
 * queued with its bytes kept durably ({@code queued}, or {@code journaled} while PostgreSQL cannot
 * be reached). A retry of an upload queued already is answered {@code queued}; an upload id queued
 * for another upload fails with {@link AlreadyQueued}; any other failure means the upload could
 * neither be stored nor queued.
 */
record StoreOrQueue(StorageChain chain, UploadQueue queue, UploadSpool spool) {

  private static final Logger LOG = LoggerFactory.getLogger(StoreOrQueue.class);

  Future<StoreReply> store(StoreRequest request, String uploadId, Payload payload) {
    return chain
        .put(request.key(), payload, request.requestId())
        .compose(
            placed ->
                spool
                    .forget(payload.file())
                    .map(
                        StoreReply.stored(
                            placed.provider(), uploadId, request.key(), placed.expiresAt())))
        .recover(
            failure -> {
              LOG.warn(
                  "upload {} for {} request {}: {}; queueing it",
                  uploadId,
                  request.key().path(),
                  request.requestId(),
                  failure.getMessage());
              return queue
                  .queue(uploadId, request.key(), payload, request.requestId())
                  .map(
                      journaled ->
                          journaled
                              ? StoreReply.journaled(uploadId, request.key())
                              : StoreReply.queued(uploadId, request.key()))
                  .recover(
                      e ->
                          e instanceof AlreadyQueued same && same.sameUpload()
                              ? Future.succeededFuture(StoreReply.queued(uploadId, request.key()))
                              : Future.failedFuture(e));
            });
  }
}
