package dev.soma.resilience.journal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What a journal found and did since it was opened: torn tails cut off and corrupt ranges
 * quarantined (at recovery), appends refused because it was full, and its flushes (count, records,
 * total time), for the metrics and {@code journal inspect}.
 */
public final class JournalCounts {

  final AtomicLong torn = new AtomicLong();
  final AtomicLong corrupt = new AtomicLong();
  final AtomicLong full = new AtomicLong();
  private final AtomicLong flushes = new AtomicLong();
  private final AtomicLong flushedRecords = new AtomicLong();
  private final AtomicLong flushNanos = new AtomicLong();

  void recordFlush(long nanos, int records) {
    flushes.incrementAndGet();
    flushedRecords.addAndGet(records);
    flushNanos.addAndGet(nanos);
  }

  public long tornTails() {
    return torn.get();
  }

  public long corruptRanges() {
    return corrupt.get();
  }

  public long refusedFull() {
    return full.get();
  }

  public long flushes() {
    return flushes.get();
  }

  public long flushedRecords() {
    return flushedRecords.get();
  }

  public long flushNanos() {
    return flushNanos.get();
  }
}
