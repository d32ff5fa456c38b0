package dev.soma.resilience.degradation.internal;

import dev.soma.resilience.degradation.DegradationLevel;
import dev.soma.resilience.degradation.DependencyStatus;
import dev.soma.resilience.degradation.StatusSnapshot;
import dev.soma.resilience.journal.JournaledWrites;
import dev.soma.resilience.outbox.JournaledEvent;
import dev.soma.resilience.outbox.Outbox;
import dev.soma.resilience.outbox.OutboxEntry;
import java.time.Instant;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes status changes to Kafka topic {@code degradation.events} through the outbox, so they
 * survive a Kafka outage. Flapping is damped by a {@link SuppressionWindow}; a level held back is
 * written later by {@link #catchUp} once the window allows. While PostgreSQL cannot be reached,
 * events are journaled ({@link JournaledEvent#DEGRADATION}) and replayed in order when it answers,
 * however long the outage. Only when neither can take them (no journal on this node, the journal
 * full) do they wait in memory (bounded, oldest dropped first with a warning), retried in order.
 *
 * <p>Each event ({@link StatusEvent}) goes from the level last written for the service to its level
 * now; writing the same change twice yields one event. Not thread-safe: the monitor's event loop
 * owns it.
 */
final class DegradationEvents {

  private static final Logger LOG = LoggerFactory.getLogger(DegradationEvents.class);
  private static final int MAX_WAITING = 1000;

  private final JournaledWrites writes;
  private final JournaledEvent kind;
  private final StatusEvent events;
  private final SuppressionWindow suppression;
  private final DegradationMetrics metrics;
  private final ArrayDeque<OutboxEntry> waiting = new ArrayDeque<>();
  private boolean writing;

  DegradationEvents(
      JournaledWrites writes,
      Outbox outbox,
      String topic,
      String tenant,
      String node,
      SuppressionWindow suppression,
      DegradationMetrics metrics) {
    this.writes = writes;
    this.kind = new JournaledEvent(JournaledEvent.DEGRADATION, outbox);
    this.events = new StatusEvent(tenant, topic, node);
    this.suppression = suppression;
    this.metrics = metrics;
  }

  /**
   * Writes an event for every service whose level differs from the one last written, unless the
   * suppression window holds it back; then flushes what waits.
   */
  void catchUp(StatusSnapshot snapshot, Instant now) {
    for (DependencyStatus status : snapshot.services().values()) {
      DegradationLevel last = suppression.lastWritten(status.service());
      if (status.level() == last) {
        continue;
      }
      if (!suppression.shouldWrite(status.service(), status.level(), now)) {
        continue;
      }
      suppression.written(status.service(), status.level(), now);
      enqueue(events.of(status, last, snapshot));
    }
    flush();
  }

  /** Counts a change the window held back (the caller decides by {@link #catchUp}'s rules). */
  void countSuppressed(DependencyStatus status, Instant now) {
    if (status.level() != suppression.lastWritten(status.service())
        && !suppression.shouldWrite(status.service(), status.level(), now)) {
      metrics.eventSuppressed();
      LOG.info(
          "degradation event for {} ({}) suppressed: same level written within the window",
          status.service(),
          status.level().wire());
    }
  }

  /** Events not yet in the outbox (waiting for PostgreSQL). */
  int waiting() {
    return waiting.size();
  }

  private void enqueue(OutboxEntry entry) {
    if (waiting.size() >= MAX_WAITING) {
      OutboxEntry dropped = waiting.removeFirst();
      LOG.warn(
          "degradation event {} dropped: {} events already wait for PostgreSQL",
          dropped.dedupeKey(),
          MAX_WAITING);
    }
    waiting.addLast(entry);
  }

  private void flush() {
    if (writing || waiting.isEmpty()) {
      return;
    }
    writing = true;
    OutboxEntry next = waiting.peekFirst();
    writes
        .write(kind, next.tenantId(), JournaledEvent.request(next))
        .onComplete(
            ar -> {
              writing = false;
              if (ar.succeeded()) {
                waiting.remove(next);
                metrics.eventWritten();
                LOG.info(
                    "degradation event {} {}",
                    next.dedupeKey(),
                    ar.result().journaled() ? "journaled" : "written");
                flush();
              } else {
                LOG.warn(
                    "degradation event {} not written yet, will retry: {}",
                    next.dedupeKey(),
                    ar.cause().toString());
              }
            });
  }
}
