package dev.soma.resilience.failover.storage.internal;

import dev.soma.resilience.common.DurableFiles;
import dev.soma.resilience.failover.chain.ChainExhausted;
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
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
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

  static final String COMPLETED = "SELECT 1 FROM upload_completions WHERE upload_id = $1";
  static final String RECORD_COMPLETION =
      """
      INSERT INTO upload_completions (upload_id, tenant_id, object_key, provider, queued_at)
      VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (upload_id) DO NOTHING\
      """;

  private static final Logger LOG = LoggerFactory.getLogger(UploadQueue.class);

  private final Path spool;
  private final WorkerExecutor io;
  private final Pool pool;
  private final JournaledWrites writes;
  private final JournaledEvent entries;
  private final StorageChain chain;
  private final Clock clock;
  private final int batch;
  private final int maxAttempts;
  private final DeadLetterCounter deadLetters;
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
    this.pool = pool;
    this.writes = writes;
    this.entries = new JournaledEvent(JournaledEvent.UPLOAD_QUEUED, outbox);
    this.chain = chain;
    this.clock = clock;
    this.batch = batch;
    this.maxAttempts = maxAttempts;
    this.deadLetters = deadLetters;
  }

  /**
   * An upload id that is queued already (its marker is in the spool) or being queued right now:
   * nothing of the upload asked for was written, and nothing of the one already there was touched.
   * {@link #sameUpload} says whether the queued one is of the same tenant, key, media type and size
   * (a retry of it); otherwise the id was used for another upload. Stackless: flow control.
   */
  public static final class AlreadyQueued extends RuntimeException {
    private final boolean sameUpload;

    AlreadyQueued(String message, boolean sameUpload) {
      super(message, null, false, false);
      this.sameUpload = sameUpload;
    }

    public boolean sameUpload() {
      return sameUpload;
    }
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
                throw alreadyQueued(marker, uploadId, key, payload);
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

  /**
   * The queued upload {@code marker} describes, compared with this one; a spilled file of this
   * request that the marker does not name is deleted (nothing else would use it). Blocking.
   */
  private AlreadyQueued alreadyQueued(Path marker, String uploadId, ObjectKey key, Payload payload)
      throws IOException {
    JsonObject earlier = new JsonObject(Files.readString(marker, StandardCharsets.UTF_8));
    Path earlierBytes = spool.resolve(earlier.getString("bytes")).normalize();
    boolean same =
        key.tenantId().equals(earlier.getString("tenantId"))
            && key.key().equals(earlier.getString("key"))
            && java.util.Objects.equals(payload.contentType(), earlier.getString("contentType"))
            && Files.exists(earlierBytes)
            && Files.size(earlierBytes) == payload.size();
    if (payload.file() != null && !payload.file().normalize().equals(earlierBytes)) {
      Files.deleteIfExists(payload.file());
    }
    LOG.info(
        "upload {} for {} is queued already{}: nothing written",
        uploadId,
        key.path(),
        same ? "" : " for another upload (" + earlier.getString("key") + ")");
    return new AlreadyQueued(
        same
            ? "upload " + uploadId + " is queued already"
            : "upload id " + uploadId + " is queued already for another upload",
        same);
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
    return io.executeBlocking(() -> oldestMarkers(busy), false)
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

  private List<JsonObject> oldestMarkers(Set<String> busy) throws IOException {
    Path queued = spool.resolve("queued");
    if (!Files.isDirectory(queued)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(queued)) {
      return files
          .filter(f -> f.getFileName().toString().endsWith(".json"))
          .sorted(Comparator.comparingLong(UploadQueue::modified))
          .map(UploadQueue::readMarker)
          .filter(m -> m != null && !busy.contains(m.getString("uploadId")))
          .filter(this::stillHasItsBytes)
          .limit(batch)
          .toList();
    }
  }

  /**
   * A marker whose bytes are gone can never be stored: kept, it would be tried (and fail on every
   * link, feeding the breakers) in every round, and {@code batch} of them would starve the rest.
   * Blocking.
   */
  private boolean stillHasItsBytes(JsonObject marker) {
    String uploadId = marker.getString("uploadId");
    Path bytes = spool.resolve(marker.getString("bytes"));
    if (Files.exists(bytes)) {
      return true;
    }
    LOG.error(
        "queued upload {} for {}/{} has no bytes {} (lost, or stored before a crash): its marker"
            + " is removed without a retry",
        uploadId,
        marker.getString("tenantId"),
        marker.getString("key"),
        bytes);
    try {
      Files.deleteIfExists(spool.resolve("queued").resolve(uploadId + ".json"));
    } catch (IOException e) {
      LOG.error("upload marker of {} could not be removed: {}", uploadId, e.toString());
    }
    return false;
  }

  private Future<Boolean> retry(JsonObject marker) {
    String uploadId = marker.getString("uploadId");
    ObjectKey key = new ObjectKey(marker.getString("tenantId"), marker.getString("key"));
    Path bytes = spool.resolve(marker.getString("bytes"));
    return pool.preparedQuery(COMPLETED)
        .execute(Tuple.of(uploadId))
        .compose(
            rows ->
                rows.size() > 0
                    ? Future.succeededFuture("already")
                    : chain
                        .put(key, Payload.file(bytes, marker.getString("contentType")), uploadId)
                        .compose(
                            placed ->
                                pool.preparedQuery(RECORD_COMPLETION)
                                    .execute(
                                        Tuple.of(
                                            uploadId,
                                            key.tenantId(),
                                            key.key(),
                                            placed.provider(),
                                            OffsetDateTime.ofInstant(
                                                Instant.parse(marker.getString("queuedAt")),
                                                ZoneOffset.UTC)))
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
                notStored(marker, failure)
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

  /**
   * Counts a try that called a link and failed in the marker; sets the upload aside as a dead
   * letter after {@code maxAttempts} such tries, or at once when a link rejected it as wrong.
   */
  private Future<Void> notStored(JsonObject marker, Throwable failure) {
    String uploadId = marker.getString("uploadId");
    String where = marker.getString("tenantId") + "/" + marker.getString("key");
    if (!(failure instanceof ChainExhausted walk) || walk.calls() == 0) {
      // every link refused (breakers open, held off) or the database failed: not this upload's try
      LOG.info("queued upload {} for {} still waits: {}", uploadId, where, failure.getMessage());
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

  private static long modified(Path file) {
    try {
      return Files.getLastModifiedTime(file).toMillis();
    } catch (IOException e) {
      return Long.MAX_VALUE;
    }
  }

  private static JsonObject readMarker(Path file) {
    try {
      return new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      LOG.error("unreadable upload marker {}: {}", file, e.toString());
      return null;
    }
  }
}
