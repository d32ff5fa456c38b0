package dev.soma.resilience.failover.storage;

import dev.soma.resilience.breaker.BreakerPanel;
import dev.soma.resilience.breaker.CircuitBreakers;
import dev.soma.resilience.config.StorageConfig;
import dev.soma.resilience.degradation.CallReporter;
import dev.soma.resilience.failover.chain.BusRequest;
import dev.soma.resilience.failover.chain.ChainReport;
import dev.soma.resilience.failover.chain.FallbackChain;
import dev.soma.resilience.failover.storage.internal.AlreadyQueued;
import dev.soma.resilience.failover.storage.internal.LocalFileStore;
import dev.soma.resilience.failover.storage.internal.ObjectStore;
import dev.soma.resilience.failover.storage.internal.Payload;
import dev.soma.resilience.failover.storage.internal.RedisStore;
import dev.soma.resilience.failover.storage.internal.S3Store;
import dev.soma.resilience.failover.storage.internal.StorageChain;
import dev.soma.resilience.failover.storage.internal.UploadQueue;
import dev.soma.resilience.journal.JournaledWrites;
import dev.soma.resilience.outbox.DeadLetterCounter;
import dev.soma.resilience.outbox.Outbox;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link StorageAddresses}: stores uploads on S3 (any compatible endpoint), else the local
 * filesystem, else Redis with a TTL, failing over transparently; when every link fails the upload
 * is queued ({@link StoreReply#QUEUED_MESSAGE}) with its bytes kept durably, and a paced timer
 * stores queued uploads once a link takes them again. Every reply names its provider. While
 * PostgreSQL cannot be reached the queue entry is journaled ({@code writes}) and the reply says
 * {@code journaled}.
 */
public final class StorageFailoverVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(StorageFailoverVerticle.class);

  /**
   * Far longer than any store takes (a spill is named by its marker within the bus timeout of its
   * request): a spool file this old that no marker names is lost.
   */
  static final Duration SWEEP_AGE = Duration.ofHours(1);

  static final Duration SWEEP_INTERVAL = Duration.ofMinutes(10);

  private final StorageConfig config;
  private final Pool pool;
  private final JournaledWrites writes;
  private final Outbox outbox;
  private final MeterRegistry registry;
  private final Clock clock;
  private final BreakerPanel panel;
  private WorkerExecutor s3Workers;
  private WorkerExecutor fileWorkers;
  private List<ObjectStore> links;
  private UploadSpool spool;
  private StorageChain chain;
  private UploadQueue queue;
  private StoreOrQueue storeOrQueue;
  private long retryTimer = -1;
  private long sweepTimer = -1;

  public StorageFailoverVerticle(
      StorageConfig config,
      Pool pool,
      JournaledWrites writes,
      Outbox outbox,
      MeterRegistry registry,
      Clock clock,
      BreakerPanel panel) {
    this.config = config;
    this.pool = pool;
    this.writes = writes;
    this.outbox = outbox;
    this.registry = registry;
    this.clock = clock;
    this.panel = panel;
  }

  @Override
  public Future<?> start() {
    s3Workers = vertx.createSharedWorkerExecutor("storage-s3", config.s3().workerThreads());
    fileWorkers = vertx.createSharedWorkerExecutor("storage-files", 4);
    CircuitBreakers breakers =
        FallbackChain.breakers(
            config.breakerFailureThreshold(), config.breakerReset(), clock, registry, panel);
    links =
        List.of(
            new S3Store(config.s3(), s3Workers, config.timeout()),
            new LocalFileStore(config.local(), fileWorkers),
            new RedisStore(vertx, config.redis(), fileWorkers, clock, config.timeout()));
    spool = new UploadSpool(config.spoolDir(), fileWorkers);
    chain =
        new StorageChain(
            links,
            new FallbackChain(
                "storage",
                breakers,
                clock,
                Optional.of(config.timeout()),
                ChainReport.media("storage", CallReporter.on(vertx.eventBus()), registry)));
    queue =
        new UploadQueue(
            config.spoolDir(),
            fileWorkers,
            pool,
            writes,
            outbox,
            chain,
            clock,
            config.retryBatch(),
            config.retryMaxAttempts(),
            DeadLetterCounter.of(registry, UploadQueue.TOPIC));
    storeOrQueue = new StoreOrQueue(chain, queue, spool);
    // local consumers: a request may name a file in this node's spool, and its queue is here too
    MessageConsumer<JsonObject> put =
        vertx.eventBus().localConsumer(StorageAddresses.PUT, this::put);
    MessageConsumer<JsonObject> get =
        vertx.eventBus().localConsumer(StorageAddresses.GET, this::get);
    retryTimer = vertx.setPeriodic(config.retryInterval().toMillis(), t -> queue.retryRound());
    sweepTimer = vertx.setPeriodic(1, SWEEP_INTERVAL.toMillis(), t -> sweepSpool());
    LOG.info(
        "storage chain: {}",
        links.stream().map(l -> l.name() + (l.configured() ? "" : " (not configured)")).toList());
    return Future.all(put.completion(), get.completion());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(retryTimer);
    vertx.cancelTimer(sweepTimer);
    return fileWorkers
        .executeBlocking(
            () -> {
              links.forEach(ObjectStore::close);
              return null;
            })
        .eventually(() -> s3Workers.close())
        .eventually(() -> fileWorkers.close());
  }

  /** The spool callers spill large uploads to (shares this verticle's directory). */
  public UploadSpool spool() {
    return spool;
  }

  private void put(Message<JsonObject> message) {
    BusRequest.parse(message, StoreRequest::fromJson, StorageAddresses.CALLER_FAULT)
        .ifPresent(request -> put(message, request));
  }

  private void put(Message<JsonObject> message, StoreRequest request) {
    if (request.data() != null && request.data().length > config.maxInlineBytes()) {
      message.fail(
          StorageAddresses.TOO_LARGE,
          "inline data must be at most "
              + config.maxInlineBytes()
              + " bytes: spill larger uploads and pass a spoolRef");
      return;
    }
    String uploadId =
        request.uploadId() != null ? request.uploadId() : UUID.randomUUID().toString();
    payload(request)
        .onFailure(e -> message.fail(StorageAddresses.CALLER_FAULT, e.getMessage()))
        .onSuccess(payload -> store(message, request, uploadId, payload));
  }

  /** Answers {@code message} with what became of the upload ({@link StoreOrQueue}). */
  private void store(
      Message<JsonObject> message, StoreRequest request, String uploadId, Payload payload) {
    storeOrQueue
        .store(request, uploadId, payload)
        .onSuccess(reply -> message.reply(reply.toJson()))
        .onFailure(
            failure -> {
              if (failure instanceof AlreadyQueued) {
                message.fail(StorageAddresses.CONFLICT, failure.getMessage());
              } else {
                message.fail(
                    StorageAddresses.UNAVAILABLE,
                    "upload could neither be stored nor queued: " + failure.getMessage());
              }
            });
  }

  private Future<Payload> payload(StoreRequest request) {
    if (request.data() != null) {
      return Future.succeededFuture(Payload.inline(request.data(), request.contentType()));
    }
    Path file = spool.incoming(request.spoolRef());
    return fileWorkers.executeBlocking(
        () -> {
          if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("spoolRef " + request.spoolRef() + " is unknown");
          }
          return Payload.file(file, request.contentType());
        },
        false);
  }

  /**
   * Spills whose request never reached this verticle (no handler, a crash) or bytes a crash left
   * behind: nothing else will ever delete them.
   */
  private void sweepSpool() {
    spool
        .sweep(clock.instant().minus(SWEEP_AGE))
        .onFailure(e -> LOG.error("upload spool sweep failed: {}", e.toString()));
  }

  private void get(Message<JsonObject> message) {
    BusRequest.parse(message, FetchRequest::fromJson, StorageAddresses.CALLER_FAULT)
        .ifPresent(request -> get(message, request));
  }

  private void get(Message<JsonObject> message, FetchRequest request) {
    chain
        .get(request.key(), request.requestId())
        .onComplete(
            ar -> {
              if (ar.failed()) {
                message.fail(StorageAddresses.UNAVAILABLE, ar.cause().getMessage());
              } else if (ar.result().isEmpty()) {
                message.fail(StorageAddresses.NOT_FOUND, request.key().path() + " not found");
              } else {
                reply(ar.result().get(), request.key().key())
                    .onSuccess(reply -> message.reply(reply.toJson()))
                    .onFailure(
                        e ->
                            message.fail(
                                StorageAddresses.UNAVAILABLE,
                                "the object could not be handed over: " + e));
              }
            });
  }

  /** {@code found}'s bytes in the reply, or, too large for a message, in a spool file. */
  private Future<FetchReply> reply(StorageChain.Found found, String key) {
    byte[] data = found.object().data();
    String type = found.object().contentType();
    return data.length <= config.maxInlineBytes()
        ? Future.succeededFuture(new FetchReply(found.provider(), key, type, data))
        : spool.spill(data).map(ref -> new FetchReply(found.provider(), key, type, null, ref));
  }
}
