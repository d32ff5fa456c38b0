package dev.soma.resilience.failover.storage.internal;

import dev.soma.resilience.failover.storage.ObjectKey;
import dev.soma.resilience.failover.storage.UploadSpool;
import dev.soma.resilience.journal.JournaledWrites;
import dev.soma.resilience.outbox.DeadLetterCounter;
import dev.soma.resilience.outbox.JournaledEvent;
import dev.soma.resilience.outbox.Outbox;
import dev.soma.resilience.outbox.OutboxEntry;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads no link could take. {@link #queue} keeps the bytes durably in the spool (fsynced {@code
 * queued/<uploadId>.bin}, or the caller's spilled file) with a marker {@code
 * queued/<uploadId>.json}, then enqueues an {@code upload.retry} event (dedupe key {@code
 * upload:<uploadId>}), or journals that event while PostgreSQL cannot be reached ({@link
 * JournaledEvent#UPLOAD_QUEUED}, replayed later); only then is the caller told "upload queued" (or,
 * journaled, that it is queued and its entry journaled). {@link #retryRound} walks the markers (the
 * spool, not Kafka), stores each upload through the chain, records it in {@code upload_completions}
 * and deletes its marker, then its spooled bytes; a marker whose bytes are gone is removed (logged
 * as an error) without being tried. A try in which a link was called and failed counts in the
 * marker's {@code attempts} (a round in which every link refused, breakers open, costs none); after
 * {@code maxAttempts} of them, or at once when a link rejected the upload as wrong, the upload is
 * set aside as a dead letter: marker and bytes in {@code dead/} (never swept, never tried again;
 * logged at ERROR and counted in {@code dlq.messages{topic="upload.retry"}}), so one upload that
 * can never be stored does not keep failing, and opening the links' shared breakers, for ever.
 *
 * <p>Event-loop confined (the verticle's).
 */
public final class UploadQueue {

  public static final String TOPIC = "upload.retry";

  private static final Logger LOG = LoggerFactory.getLogger(UploadQueue.class);

  private final Path spool;
  private final WorkerExecutor io;
  private final UploadCompletions completions;
  private final JournaledWrites writes;
  private final JournaledEvent entries;
  private final StorageChain chain;
  private final Clock clock;
  private final int batch;
  private final UploadMarkers markers;
  private final UploadDeadLetters deadLetters;
  private final Set<String> queueing = new HashSet<>();
  private boolean retrying;

  public UploadQueue(
      Path spool,
      WorkerExecutor io,
      Pool pool,
      JournaledWrites writes,
      Outbox outbox,
      StorageChain chain,
      Clock clock,
      int batch,
      int maxAttempts,
      DeadLetterCounter deadLetters) {
    this.spool = spool;
    this.io = io;
    this.completions = new UploadCompletions(pool);
    this.writes = writes;
    this.entries = new JournaledEvent(JournaledEvent.UPLOAD_QUEUED, outbox);
    this.chain = chain;
    this.clock = clock;
    this.batch = batch;
    this.markers = new UploadMarkers(spool);
    this.deadLetters = new UploadDeadLetters(spool, io, clock, maxAttempts, deadLetters);
  }

  /**
   * Keeps the upload durably and enqueues its retry event (or journals it); completes with whether
   * the event was journaled, fails if the upload could not be kept or its event neither enqueued
   * nor journaled, and then deletes its marker and its bytes (a spilled file included). Fails with
   * {@link AlreadyQueued} when {@code uploadId} is queued already or being queued: the upload that
   * has it (answered already) is never overwritten nor deleted, and a spilled file of this request
   * that it does not use is deleted.
   */
  public Future<Boolean> queue(String uploadId, ObjectKey key, Payload payload, String requestId) {
    if (!queueing.add(uploadId)) {
      return Future.failedFuture(
          new AlreadyQueued("upload " + uploadId + " is being queued; retry later", false));
    }
    return keep(uploadId, key, payload, requestId).andThen(ar -> queueing.remove(uploadId));
  }

  private Future<Boolean> keep(String uploadId, ObjectKey key, Payload payload, String requestId) {
    Path queued = spool.resolve("queued");
    Path bytes = payload.inline() != null ? queued.resolve(uploadId + ".bin") : payload.file();
    Path marker = queued.resolve(uploadId + ".json");
    JsonObject record =
        new JsonObject()
            .put("uploadId", uploadId)
            .put("tenantId", key.tenantId())
            .put("key", key.key())
            .put("contentType", payload.contentType())
            .put("bytes", spool.relativize(bytes).toString())
            .put("queuedAt", clock.instant().toString());
    return io.<Long>executeBlocking(
            () -> {
              if (Files.exists(marker)) {
                throw markers.alreadyQueued(marker, uploadId, key, payload);
              }
              if (payload.inline() != null) {
                UploadSpool.writeDurably(bytes, payload.inline());
              }
              UploadSpool.writeDurably(marker, record.toBuffer().getBytes());
              return Files.size(bytes);
            },
            false)
        .compose(
            size ->
                writes.write(
                    entries,
                    key.tenantId(),
                    JournaledEvent.request(
                        OutboxEntry.of(
                            key.tenantId(),
                            "upload:" + uploadId,
                            TOPIC,
                            key.path(),
                            record.copy().put("sizeBytes", size).put("requestId", requestId)))))
        .map(JournaledWrites.Outcome::journaled)
        .recover(
            failure -> {
              if (failure instanceof AlreadyQueued) {
                return Future.failedFuture(failure); // nothing of ours was written
              }
              LOG.error(
                  "upload {} for {} request {} could not be queued: {}",
                  uploadId,
                  key.path(),
                  requestId,
                  failure.toString());
              return io.executeBlocking(
                      () -> {
                        // the marker first: bytes are never deleted while it points to them; a
                        // spilled file goes too, nothing else will ever use it
                        Files.deleteIfExists(marker);
                        Files.deleteIfExists(bytes);
                        return null;
                      },
                      false)
                  .transform(ignored -> Future.failedFuture(failure));
            });
  }

  /** One paced round: tries up to {@code batch} queued uploads, oldest first, one at a time. */
  public Future<Integer> retryRound() {
    if (retrying) {
      return Future.succeededFuture(0);
    }
    retrying = true;
    // queueing is event-loop confined (a HashSet read on a worker while queue() adds to it is a
    // data race): the worker filters on an immutable copy taken here
    Set<String> busy = Set.copyOf(queueing);
    return io.executeBlocking(() -> markers.oldest(busy, batch), false)
        .compose(
            markers -> {
              Future<Integer> stored = Future.succeededFuture(0);
              for (JsonObject marker : markers) {
                stored = stored.compose(n -> retry(marker).map(ok -> ok ? n + 1 : n));
              }
              return stored;
            })
        .andThen(ar -> retrying = false);
  }

  private Future<Boolean> retry(JsonObject marker) {
    String uploadId = marker.getString("uploadId");
    ObjectKey key = new ObjectKey(marker.getString("tenantId"), marker.getString("key"));
    Path bytes = spool.resolve(marker.getString("bytes"));
    return completions
        .completed(uploadId)
        .compose(
            completed ->
                completed
                    ? Future.succeededFuture("already")
                    : chain
                        .put(key, Payload.file(bytes, marker.getString("contentType")), uploadId)
                        .compose(
                            placed ->
                                completions
                                    .record(
                                        uploadId,
                                        key,
                                        placed.provider(),
                                        Instant.parse(marker.getString("queuedAt")))
                                    .map(placed.provider())))
        .compose(
            provider -> {
              LOG.info("queued upload {} for {} stored by {}", uploadId, key.path(), provider);
              return io.executeBlocking(
                  () -> {
                    // marker first: a crash in between leaves bytes no marker points to (swept
                    // later), never a marker without its bytes
                    Files.deleteIfExists(spool.resolve("queued").resolve(uploadId + ".json"));
                    Files.deleteIfExists(bytes);
                    return true;
                  },
                  false);
            })
        .recover(
            failure ->
                deadLetters
                    .notStored(marker, failure)
                    .transform(
                        counted -> {
                          if (counted.failed()) {
                            LOG.error(
                                "queued upload {}: its try could not be counted: {}",
                                uploadId,
                                counted.cause().toString());
                          }
                          return Future.succeededFuture(false);
                        }));
  }
}
