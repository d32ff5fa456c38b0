package dev.soma.resilience.journal;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The records not yet replayed by the client's {@code Idempotency-Key} (with their tenant), so that
 * one key is journaled once: a key is claimed when its append is asked, given back if the append
 * fails, and let go once the checkpoint passes its record. Thread-safe.
 */
final class PendingKeys {

  private final Map<String, JournalRecord> byKey = new ConcurrentHashMap<>();

  /** The pending record {@code idempotencyKey} of {@code tenant} names, if any. */
  Optional<JournalRecord> get(String tenant, String idempotencyKey) {
    return Optional.ofNullable(byKey.get(keyOf(tenant, idempotencyKey)));
  }

  /** Claims {@code record}'s key (it has one): empty if it was free, else the record holding it. */
  Optional<JournalRecord> claim(JournalRecord record) {
    return Optional.ofNullable(byKey.putIfAbsent(keyOf(record), record));
  }

  /** Gives back the key {@code record} claimed (its append failed). */
  void giveBack(JournalRecord record) {
    byKey.remove(keyOf(record), record);
  }

  /** Indexes a record on disk (appended, or found by recovery) by its key, if it has one. */
  void index(JournalRecord record) {
    record.idempotencyKey().ifPresent(key -> byKey.put(keyOf(record.tenant(), key), record));
  }

  /** Lets go of the keys of the records through {@code sequence}: they are replayed. */
  void replayedThrough(long sequence) {
    byKey.values().removeIf(r -> r.sequence() > 0 && r.sequence() <= sequence);
  }

  private static String keyOf(JournalRecord record) {
    return keyOf(record.tenant(), record.idempotencyKey().orElseThrow());
  }

  private static String keyOf(String tenant, String idempotencyKey) {
    return tenant + '\n' + idempotencyKey;
  }
}
