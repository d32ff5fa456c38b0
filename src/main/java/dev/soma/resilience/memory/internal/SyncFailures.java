package dev.soma.resilience.memory.internal;

import dev.soma.resilience.breaker.CallOutcome;
import dev.soma.resilience.common.RetrySchedule;
import dev.soma.resilience.memory.PendingMemories;
import dev.soma.resilience.memory.PendingMemories.Claimed;
import dev.soma.resilience.memory.SomaBrainException;
import dev.soma.resilience.outbox.DeadLetterCounter;
import io.vertx.core.Future;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What becomes of a claimed memory SomaBrain did not take: one it rejects (4xx) goes to the dead
 * letters at once; one that failed for a reason of its own is retried with backoff and
 * dead-lettered after its {@code maxAttempts}; an outage (no answer, 503) or an auth problem is
 * SomaBrain's state, not the memory's, so it waits again without an attempt counted.
 */
final class SyncFailures {

  private static final Logger LOG = LoggerFactory.getLogger(SyncFailures.class);

  private final PendingMemories queue;
  private final String owner;
  private final RetrySchedule retries;
  private final DeadLetterCounter deadLetters;

  SyncFailures(
      PendingMemories queue, String owner, RetrySchedule retries, DeadLetterCounter deadLetters) {
    this.queue = queue;
    this.owner = owner;
    this.retries = retries;
    this.deadLetters = deadLetters;
  }

  Future<Void> settle(Claimed memory, Throwable error) {
    String tenant = memory.memory().tenant();
    SomaBrainException failure = error instanceof SomaBrainException e ? e : null;
    if (failure != null && failure.outcome() == CallOutcome.CALLER_FAULT) {
      return bury(memory, error, "SomaBrain rejects it");
    }
    int status = failure == null ? 0 : failure.status();
    // unreachable, 503 (unavailable) and auth problems are SomaBrain's state, not this memory's
    boolean counted = status != 0 && status != 503 && status != 401 && status != 403;
    if (counted && memory.attempts() + 1 >= memory.maxAttempts()) {
      return bury(memory, error, "after " + (memory.attempts() + 1) + " attempts");
    }
    Duration delay = counted ? retries.delay(memory.attempts() + 1) : Duration.ZERO;
    LOG.warn(
        "memory not synced yet: tenant={} key={}: {}",
        tenant,
        memory.memory().key(),
        error.getMessage());
    return queue.reschedule(memory, owner, counted, delay, error.getMessage());
  }

  /**
   * Files {@code memory} as a dead letter ({@code why}), logged once it is one: a memory queued
   * again meanwhile is not (its new value is tried afresh), nor one another sync took over.
   */
  private Future<Void> bury(Claimed memory, Throwable error, String why) {
    return queue
        .bury(memory, owner, error.getMessage(), error.getClass().getName())
        .map(
            buried -> {
              if (buried) {
                deadLetters.increment();
                LOG.error(
                    "memory dead-lettered, {}: tenant={} key={}: {}",
                    why,
                    memory.memory().tenant(),
                    memory.memory().key(),
                    error.getMessage());
              }
              return null;
            });
  }
}
