package dev.soma.resilience.outbox.internal;

import static dev.soma.resilience.outbox.internal.OutboxRepository.ALL_BUCKETS;
import static dev.soma.resilience.outbox.internal.OutboxRepository.CLAIM_BUCKETS;

/**
 * Decides which claims a relay makes, and when. Two modes:
 *
 * <ul>
 *   <li><b>Trickle</b> (the default): one claim at a time over every tenant ({@link
 *       OutboxRepository#ALL_BUCKETS}), started only when a wake-up arrived since the last claim
 *       started. A steady flow of small commits then costs one claim per round, not one per bucket.
 *   <li><b>Backlog</b>, entered when a claim comes back full: up to {@code concurrency} claims at
 *       once, each on its own tenant bucket, taken in turn, for as long as claims bring rows back.
 *       It ends when a round of one claim per bucket brought back less than one batch, or when
 *       every bucket came back empty.
 * </ul>
 *
 * <p>Not thread-safe: confined to the relay's event loop. The caller checks the pipeline's room;
 * this class only knows about claims.
 */
final class ClaimScheduler {

  /** {@link #next} has nothing to start. */
  static final int NONE = Integer.MIN_VALUE;

  private final int batchSize;
  private final int concurrency;
  private final boolean[] running = new boolean[CLAIM_BUCKETS];
  private boolean allRunning;
  private int runningCount;
  private boolean backlog;
  private long wakes;
  private long coveredWakes;
  private int wanted;
  private int nextBucket;
  private int roundClaims;
  private int roundRows;

  ClaimScheduler(int batchSize, int concurrency) {
    this.batchSize = batchSize;
    this.concurrency = Math.max(1, Math.min(concurrency, CLAIM_BUCKETS));
  }

  /** Rows may be waiting anywhere: new commits, a settled batch, a timer. */
  void woken() {
    wakes++;
    wanted = CLAIM_BUCKETS;
  }

  /** Claims started and not yet finished. */
  int running() {
    return runningCount;
  }

  boolean inBacklogMode() {
    return backlog;
  }

  /**
   * The claim to start now, marked as started: a bucket, {@link OutboxRepository#ALL_BUCKETS}, or
   * {@link #NONE}.
   */
  int next() {
    if (!backlog) {
      if (runningCount > 0 || wakes == coveredWakes) {
        return NONE;
      }
      coveredWakes = wakes;
      allRunning = true;
      runningCount++;
      return ALL_BUCKETS;
    }
    if (allRunning || wanted == 0 || runningCount >= concurrency) {
      return NONE;
    }
    for (int i = 0; i < CLAIM_BUCKETS; i++) {
      int bucket = (nextBucket + i) % CLAIM_BUCKETS;
      if (!running[bucket]) {
        nextBucket = bucket + 1;
        running[bucket] = true;
        runningCount++;
        wanted--;
        return bucket;
      }
    }
    return NONE;
  }

  /** A claim started by {@link #next} came back with {@code rows} rows (0 if it failed). */
  void finished(int bucket, int rows) {
    runningCount--;
    if (bucket == ALL_BUCKETS) {
      allRunning = false;
      if (rows >= batchSize) {
        backlog = true;
        wanted = CLAIM_BUCKETS;
        roundClaims = 0;
        roundRows = 0;
      }
      return;
    }
    running[bucket] = false;
    if (rows > 0) {
      wanted = CLAIM_BUCKETS;
    } else if (wanted == 0 && runningCount == 0) {
      backlog = false; // every bucket came back empty since the last rows: nothing is waiting
      return;
    }
    roundRows += rows;
    if (++roundClaims < CLAIM_BUCKETS) {
      return;
    }
    if (roundRows < batchSize) {
      backlog = false;
      wakes++; // one claim over every tenant picks up whatever the round left
    }
    roundClaims = 0;
    roundRows = 0;
  }
}
