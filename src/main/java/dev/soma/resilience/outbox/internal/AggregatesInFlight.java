package dev.soma.resilience.outbox.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The aggregates (record keys) of the batches handed to the producer and not yet answered by the
 * broker, to tell a pipelined batch: one sent while an earlier batch of one of its aggregates was
 * still unanswered ({@code outbox_relay_batches_pipelined_total}). Not thread-safe: confined to the
 * relay's event loop.
 */
final class AggregatesInFlight {

  private final Map<String, Integer> counts = new HashMap<>();

  /** {@code batch} goes out: its aggregates, and whether one of them already had a batch out. */
  Sent sent(List<ClaimedEvent> batch) {
    Set<String> aggregates = new HashSet<>();
    batch.forEach(event -> aggregates.add(event.recordKey()));
    boolean pipelined = false;
    for (String aggregate : aggregates) {
      pipelined |= counts.merge(aggregate, 1, Integer::sum) > 1;
    }
    return new Sent(aggregates, pipelined);
  }

  /** The broker answered for the batch that {@link #sent} returned {@code sent} for. */
  void answered(Sent sent) {
    for (String aggregate : sent.aggregates()) {
      counts.computeIfPresent(aggregate, (k, n) -> n == 1 ? null : n - 1);
    }
  }

  record Sent(Set<String> aggregates, boolean pipelined) {}
}
