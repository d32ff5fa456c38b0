package dev.soma.resilience.journal;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.TimeUnit;

/**
 * The journal's meters: what waits ({@code journal_records_waiting}, {@code journal_bytes} of
 * {@code journal_capacity_bytes}, {@code journal_oldest_waiting_age_seconds}), what was replayed or
 * passed ({@code journal_replayed_total}, {@code journal_replay_failed_total}), what recovery found
 * ({@code journal_torn_records_total}, {@code journal_corrupt_records_total}), appends refused as
 * full ({@code journal_full_refusals_total}) and the flushes ({@code journal_flush_seconds}: count
 * and sum; records per flush is {@code journal_flushed_records_total} over its count).
 */
public final class JournalMetrics {

  private JournalMetrics() {}

  public static void register(MeterRegistry registry, Journal journal, JournalReplay replay) {
    JournalCounts counts = journal.counts();
    Gauge.builder("journal.records.waiting", journal, Journal::pendingRecords)
        .description("Journaled records not yet written into PostgreSQL")
        .strongReference(true)
        .register(registry);
    Gauge.builder("journal.bytes", journal, Journal::bytes)
        .description("Bytes of journal segments on disk")
        .baseUnit("bytes")
        .strongReference(true)
        .register(registry);
    Gauge.builder("journal.capacity", journal, Journal::capacityBytes)
        .description("The journal's cap: writes are refused beyond it")
        .baseUnit("bytes")
        .strongReference(true)
        .register(registry);
    Gauge.builder(
            "journal.oldest.waiting.age",
            journal,
            j ->
                j.oldestPendingAtMillis() == 0
                    ? 0
                    : Math.max(0, System.currentTimeMillis() - j.oldestPendingAtMillis()) / 1000.0)
        .description("Age of the oldest journaled record not yet replayed (0: none)")
        .baseUnit("seconds")
        .strongReference(true)
        .register(registry);
    FunctionCounter.builder("journal.replayed", replay, JournalReplay::replayed)
        .description("Journaled records written into PostgreSQL")
        .register(registry);
    FunctionCounter.builder("journal.replay.failed", replay, JournalReplay::failed)
        .description("Journaled records that could not be written and were passed (logged)")
        .register(registry);
    FunctionCounter.builder("journal.torn.records", counts, JournalCounts::tornTails)
        .description("Torn last records cut off when the journal was opened")
        .register(registry);
    FunctionCounter.builder("journal.corrupt.records", counts, JournalCounts::corruptRanges)
        .description("Corrupt ranges and unreadable records quarantined when it was opened")
        .register(registry);
    FunctionCounter.builder("journal.full.refusals", counts, JournalCounts::refusedFull)
        .description("Appends refused because the journal was at its cap")
        .register(registry);
    FunctionCounter.builder("journal.flushed.records", counts, JournalCounts::flushedRecords)
        .description("Records made durable by the journal's flushes")
        .register(registry);
    FunctionTimer.builder(
            "journal.flush",
            counts,
            JournalCounts::flushes,
            JournalCounts::flushNanos,
            TimeUnit.NANOSECONDS)
        .description("The journal's grouped write-and-fsync calls")
        .register(registry);
  }
}
