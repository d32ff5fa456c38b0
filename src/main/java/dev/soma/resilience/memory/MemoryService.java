package dev.soma.resilience.memory;

import dev.soma.resilience.breaker.CircuitBreakers;
import dev.soma.resilience.common.ControlFlowException;
import dev.soma.resilience.common.db.Transaction;
import dev.soma.resilience.config.MemoryConfig;
import dev.soma.resilience.degradation.CallReporter;
import dev.soma.resilience.flags.FeatureFlag;
import dev.soma.resilience.flags.FlagBook;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Remember and recall with nothing lost while SomaBrain is away. Write modes: {@code sync}
 * (SomaBrain now, or an error), {@code async} (always queued), {@code auto} (now within a short
 * timeout; queued when SomaBrain is not configured, down, its breaker open, the status says it is
 * unavailable, or the tenant already has memories waiting, which keeps each tenant's order). Recall
 * merges the tenant's pending memories with SomaBrain's results, and answers from the pending ones
 * alone, marked degraded, while SomaBrain is away. Event-loop confined.
 *
 * <p>A tenant {@link FeatureFlag#MEMORY_QUEUE_FIRST} is on for writes in {@code async} whatever the
 * configured mode; a mode named by the request still wins (the caller asked for it).
 */
public final class MemoryService {

  public static final String DEPENDENCY = "somabrain";

  /** How a memory was kept. */
  public enum Stored {
    STORED,
    QUEUED
  }

  /** A memory the caller got wrong (SomaBrain refused it as invalid). */
  public static final class RejectedMemory extends ControlFlowException {
    RejectedMemory(String message) {
      super(message);
    }
  }

  /** SomaBrain is needed (sync mode) and cannot be reached. */
  public static final class Unavailable extends ControlFlowException {
    private final Duration retryAfter;

    Unavailable(String message, Duration retryAfter) {
      super(message);
      this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
      return retryAfter;
    }
  }

  private final Vertx vertx;
  private final PendingMemories queue;
  private final Optional<SomaBrainClient> somabrain;
  private final MemoryConfig config;
  private final GuardedSomaBrain guarded;
  private final BooleanSupplier statusSaysAvailable;
  private final FlagBook flags;

  /**
   * @param statusSaysAvailable whether the degradation monitor currently thinks SomaBrain is usable
   *     (a {@code DegradationStatusView}); outcomes of our calls are reported to the monitor
   * @param flags the process's feature flags ({@link FeatureFlag#MEMORY_QUEUE_FIRST})
   */
  public MemoryService(
      Vertx vertx,
      PendingMemories queue,
      Optional<SomaBrainClient> somabrain,
      MemoryConfig config,
      CircuitBreakers breakers,
      BooleanSupplier statusSaysAvailable,
      FlagBook flags) {
    this.vertx = vertx;
    this.queue = queue;
    this.somabrain = somabrain;
    this.config = config;
    this.guarded = new GuardedSomaBrain(breakers, CallReporter.on(vertx.eventBus()));
    this.statusSaysAvailable = statusSaysAvailable;
    this.flags = flags;
  }

  public String defaultNamespace() {
    return config.namespace();
  }

  /**
   * Keeps {@code memory} by {@code mode} (null: {@code async} where {@link
   * FeatureFlag#MEMORY_QUEUE_FIRST} is on for its tenant, else the configured one). Queued memories
   * are written on {@code tx}, so they commit with whatever else the caller writes there; the sync
   * is woken after the commit.
   */
  public Future<Stored> remember(Transaction tx, Memory memory, String mode) {
    String writeMode = mode != null ? mode : writeModeOf(memory.tenant());
    return switch (writeMode) {
      case "async" -> queue(tx, memory);
      case "sync" ->
          direct(memory, config.requestTimeout())
              .recover(
                  e ->
                      Future.failedFuture(
                          e instanceof RejectedMemory
                              ? e
                              : new Unavailable(
                                  "SomaBrain cannot store the memory now: " + e.getMessage(),
                                  guarded.retryAfter())));
      default -> auto(tx, memory);
    };
  }

  private String writeModeOf(String tenant) {
    return flags.isOn(FeatureFlag.MEMORY_QUEUE_FIRST, tenant) ? "async" : config.writeMode();
  }

  private Future<Stored> auto(Transaction tx, Memory memory) {
    if (somabrain.isEmpty()
        || !statusSaysAvailable.getAsBoolean()
        || guarded.retryAfter().toMillis() > 0) {
      return queue(tx, memory);
    }
    return queue
        .hasPending(memory.tenant())
        .compose(
            waiting ->
                waiting
                    ? queue(tx, memory)
                    : direct(memory, config.autoTimeout())
                        .recover(
                            e ->
                                e instanceof RejectedMemory
                                    ? Future.failedFuture(e)
                                    : queue(tx, memory)));
  }

  private Future<Stored> direct(Memory memory, Duration timeout) {
    if (somabrain.isEmpty()) {
      return Future.failedFuture(new Unavailable("SomaBrain is not configured", Duration.ZERO));
    }
    return guarded
        .call(
            memory.tenant(),
            () ->
                somabrain
                    .get()
                    .remember(memory)
                    .timeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
        .map(stored -> Stored.STORED)
        .recover(
            e ->
                Future.failedFuture(
                    SomaBrainException.isCallerFault(e)
                        ? new RejectedMemory("SomaBrain refused the memory: " + e.getMessage())
                        : e));
  }

  private Future<Stored> queue(Transaction tx, Memory memory) {
    return queue
        .enqueue(tx, memory, config.maxAttempts())
        .map(
            v -> {
              // the sync is woken once the memory is committed, so its claim can see it
              tx.afterCommit(
                  () -> vertx.eventBus().publish(MemoryAddresses.QUEUED, new JsonObject()));
              return Stored.QUEUED;
            });
  }

  /**
   * The tenant's memories about {@code query} in {@code namespace} (null: the configured one, where
   * a memory remembered without a namespace goes): pending ones first (a tenant reads its own
   * writes), then SomaBrain's, asked for the same namespace. {@code degraded} is true when
   * SomaBrain could not be asked.
   */
  public Future<JsonObject> recall(String tenant, String query, int topK, String namespace) {
    String asked = namespace != null ? namespace : config.namespace();
    // pending first, SomaBrain after: see notIn
    return queue
        .matching(tenant, asked, query, topK)
        .compose(
            local ->
                recallFromSomaBrain(tenant, query, topK, asked)
                    .transform(remote -> Future.succeededFuture(answer(tenant, local, remote))));
  }

  private JsonObject answer(String tenant, JsonArray local, AsyncResult<JsonArray> remote) {
    boolean degraded = remote.failed();
    JsonArray remoteResults = degraded ? new JsonArray() : remote.result();
    JsonArray stillPending = notIn(local, remoteResults);
    JsonObject answer =
        new JsonObject()
            .put("tenant", tenant)
            .put("results", merged(stillPending, remoteResults))
            .put("pending", stillPending.size())
            .put("degraded", degraded);
    if (degraded) {
      answer.put(
          "degradedReasons",
          new JsonArray()
              .add(
                  somabrain.isEmpty()
                      ? "somabrain not configured"
                      : "somabrain unavailable: answered from pending memories"));
    }
    return answer;
  }

  /** SomaBrain's answer, or a failure when it cannot be asked now. */
  private Future<JsonArray> recallFromSomaBrain(
      String tenant, String query, int topK, String namespace) {
    return somabrain.isEmpty()
            || guarded.retryAfter().toMillis() > 0
            || !statusSaysAvailable.getAsBoolean()
        ? Future.failedFuture("unavailable")
        : guarded.call(
            tenant,
            () -> somabrain.get().recall(tenant, query, topK, namespace, config.autoTimeout()));
  }

  /**
   * The pending memories SomaBrain did not return. The pending ones are read before SomaBrain is
   * asked (read after, a memory synced in between would be in neither answer), so a memory synced
   * in between is in both: SomaBrain's copy, which has its score, stands for it. Contents compare
   * as JSON (key order and number types aside); top-k lists are short.
   */
  static JsonArray notIn(JsonArray pending, JsonArray remote) {
    List<Object> remoteContents = new ArrayList<>();
    remote.forEach(r -> remoteContents.add(r instanceof JsonObject o ? o.getValue("content") : r));
    JsonArray kept = new JsonArray();
    pending.forEach(
        p -> {
          if (!(p instanceof JsonObject o) || !remoteContents.contains(o.getValue("content"))) {
            kept.add(p);
          }
        });
    return kept;
  }

  /** Pending memories first (a tenant reads its own writes), then SomaBrain's, marked as such. */
  static JsonArray merged(JsonArray pending, JsonArray remote) {
    JsonArray results = pending.copy();
    remote.forEach(
        r -> results.add(r instanceof JsonObject o ? o.copy().put("source", "somabrain") : r));
    return results;
  }
}
