package dev.soma.resilience.memory.internal;

import dev.soma.resilience.common.FailureLog;
import dev.soma.resilience.common.RetrySchedule;
import dev.soma.resilience.common.db.LeaseKeeper;
import dev.soma.resilience.config.MemoryConfig;
import dev.soma.resilience.degradation.CallReporter;
import dev.soma.resilience.degradation.DegradationStatusView;
import dev.soma.resilience.memory.MemoryAddresses;
import dev.soma.resilience.memory.MemoryService;
import dev.soma.resilience.memory.PendingMemories;
import dev.soma.resilience.memory.PendingMemories.Claimed;
import dev.soma.resilience.memory.SomaBrainClient;
import dev.soma.resilience.memory.SomaBrainException;
import dev.soma.resilience.memory.SyncRound;
import dev.soma.resilience.outbox.DeadLetterCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the pending-memory queue into SomaBrain. Each round claims the oldest due memories of
 * several tenants and sends each tenant's in order, one at a time ({@code syncConcurrentTenants}
 * tenants at once); a tenant stops at its first failure and gives the rest back, so its order
 * holds. It wakes on its interval, when memories are queued, and on every degradation status
 * change, and skips rounds while the monitor says SomaBrain is unavailable: it does not hammer a
 * dead service. An outage costs no attempts; a memory SomaBrain rejects (4xx) goes to the dead
 * letters at once, others after {@code maxAttempts}. Its leases end with its process ({@link
 * LeaseKeeper}); while the keeper has lost its lock it claims nothing.
 */
public final class MemorySync extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(MemorySync.class);

  /** One line per outage, then a count a minute: a round fails every poll while it lasts. */
  private final FailureLog roundFailures = new FailureLog(Clock.systemUTC(), Duration.ofMinutes(1));

  private final PendingMemories queue;

  private final SomaBrainClient somabrain;
  private final MemoryConfig config;
  private final String owner;
  private final LeaseKeeper keeper;
  private final SyncFailures failures;
  private DegradationStatusView status;
  private CallReporter reporter;
  private boolean running;
  private boolean again;
  // every round since start, whoever woke it; reported to drainUntilIdle's callers
  private SyncRound sinceStart = new SyncRound(0, 0);
  private final List<Promise<SyncRound>> idleWaiters = new ArrayList<>();
  private long timer;

  public MemorySync(
      PendingMemories queue,
      SomaBrainClient somabrain,
      MemoryConfig config,
      String owner,
      LeaseKeeper keeper,
      MeterRegistry registry) {
    this.queue = queue;
    this.keeper = keeper;
    this.somabrain = somabrain;
    this.config = config;
    this.owner = owner;
    this.failures =
        new SyncFailures(
            queue,
            owner,
            new RetrySchedule(
                config.backoffInitial(),
                config.backoffMax(),
                ThreadLocalRandom.current()::nextDouble),
            DeadLetterCounter.of(registry, PendingMemories.DEAD_LETTER_TOPIC));
  }

  @Override
  public Future<?> start() {
    reporter = CallReporter.on(vertx.eventBus());
    vertx.eventBus().consumer(MemoryAddresses.QUEUED, m -> wake());
    return DegradationStatusView.start(vertx, Duration.ofSeconds(2))
        .onSuccess(
            view -> {
              status = view;
              // the monitor's broadcasts: start draining as soon as SomaBrain is back
              view.onChange(change -> wake());
              timer = vertx.setPeriodic(1, config.syncInterval().toMillis(), id -> wake());
            });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return status == null ? Future.succeededFuture() : status.close();
  }

  private void wake() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    drain()
        .onComplete(
            ar -> {
              running = false;
              if (ar.failed()) {
                roundFailures.warn(LOG, "memory sync round failed", ar.cause());
              } else {
                sinceStart = sinceStart.plus(ar.result());
                if (again || ar.result().synced() > 0) {
                  wake();
                  return;
                }
              }
              List<Promise<SyncRound>> waiting = List.copyOf(idleWaiters);
              idleWaiters.clear();
              waiting.forEach(
                  p -> {
                    if (ar.failed()) {
                      p.fail(ar.cause());
                    } else {
                      p.complete(sinceStart);
                    }
                  });
            });
  }

  /**
   * Completes once the sync is idle (a round synced nothing: the queue is empty, SomaBrain is away,
   * or every tenant's next memory failed), with the totals of every round since this verticle
   * started, whether this call, its timer or a wake-up started them (they never overlap). Callable
   * from any thread once deployed.
   */
  public Future<SyncRound> drainUntilIdle() {
    Promise<SyncRound> done = Promise.promise();
    context.runOnContext(
        v -> {
          idleWaiters.add(done);
          if (!running) {
            wake();
          }
        });
    return done.future();
  }

  /** One round: claim, send, settle. Runs on this verticle's event loop. */
  private Future<SyncRound> drain() {
    if (!status.isUsable(MemoryService.DEPENDENCY) || !keeper.holding()) {
      return Future.succeededFuture(new SyncRound(0, 0));
    }
    return queue
        .claim(
            owner,
            keeper.holder(),
            config.syncBatchSize(),
            config.syncConcurrentTenants(),
            config.lease())
        .compose(
            claimed -> {
              Map<String, List<Claimed>> byTenant = new LinkedHashMap<>();
              claimed.forEach(
                  c ->
                      byTenant.computeIfAbsent(c.memory().tenant(), t -> new ArrayList<>()).add(c));
              List<Future<SyncRound>> tenants = new ArrayList<>();
              byTenant.values().forEach(list -> tenants.add(sendInOrder(list, 0, 0)));
              return Future.all(tenants)
                  .map(
                      all -> {
                        int synced = 0;
                        int failed = 0;
                        for (Future<SyncRound> f : tenants) {
                          synced += f.result().synced();
                          failed += f.result().failed();
                        }
                        return new SyncRound(synced, failed);
                      });
            });
  }

  private Future<SyncRound> sendInOrder(List<Claimed> memories, int index, int synced) {
    if (index == memories.size()) {
      return Future.succeededFuture(new SyncRound(synced, 0));
    }
    Claimed next = memories.get(index);
    return reporter
        .timed(
            MemoryService.DEPENDENCY,
            next.memory().tenant(),
            somabrain.remember(next.memory()),
            SomaBrainException::isCallerFault)
        .compose(
            stored ->
                queue
                    .synced(next, owner)
                    .compose(v -> sendInOrder(memories, index + 1, synced + 1)))
        .recover(
            error ->
                failures
                    .settle(next, error)
                    .compose(
                        v ->
                            queue.release(
                                memories.subList(index + 1, memories.size()).stream()
                                    .map(Claimed::id)
                                    .toList(),
                                owner))
                    .map(v -> new SyncRound(synced, 1)));
  }
}
