package dev.soma.resilience.outbox.internal;

import dev.soma.resilience.common.RetrySchedule;
import dev.soma.resilience.outbox.internal.OutboxRepository.Burial;
import dev.soma.resilience.outbox.internal.OutboxRepository.Retry;
import dev.soma.resilience.outbox.internal.OutboxRepository.Settlement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what becomes of each row of a sent batch, from what the broker said about its record:
 * published, sent again (behind a failed predecessor, held back, the cluster unavailable, or a
 * transient error with attempts left, after a back-off), or dead-lettered. A record that failed for
 * a reason that might pass fences its key, so later records of its aggregate wait behind it; every
 * failure is counted by its kind.
 */
final class BatchVerdicts {

  private static final Logger LOG = LoggerFactory.getLogger(BatchVerdicts.class);

  /** Why a row went back to pending without an attempt: it went out behind a failed one. */
  static final String BEHIND_FAILURE =
      "not published: an earlier event of its aggregate did not get through; sent again after it";

  /** What a batch's rows came to, before it is written down. */
  record Verdict(
      RecordBatchSender.Results results,
      Set<Long> published,
      Settlement settlement,
      Set<String> failedKeys,
      boolean brokerDown) {}

  private final OrderFences fences;
  private final OutboxMetrics metrics;
  private final RetrySchedule retries;
  private final BooleanSupplier stopping;

  /**
   * Verdicts that fence failed keys in {@code fences}, count failures in {@code metrics} and back
   * retries off as {@code retries} says. While {@code stopping} says so, a transient failure (the
   * producer being closed under the batch, above all) counts as no attempt of the record's.
   */
  BatchVerdicts(
      OrderFences fences, OutboxMetrics metrics, RetrySchedule retries, BooleanSupplier stopping) {
    this.fences = fences;
    this.metrics = metrics;
    this.retries = retries;
    this.stopping = stopping;
  }

  /**
   * The verdict on {@code batch}, sent under claim {@code claim}; {@code reachable} says whether
   * the broker answered since the batch went out, which tells an outage from a record's own
   * failure.
   */
  Verdict judge(
      List<ClaimedEvent> batch, long claim, RecordBatchSender.Results results, boolean reachable) {
    Set<Long> published = new LinkedHashSet<>();
    List<Retry> retry = new ArrayList<>();
    List<Burial> burials = new ArrayList<>();
    Set<String> failedKeys = new HashSet<>();
    boolean unavailable = false;
    List<Long> deliveredAhead = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      ClaimedEvent event = batch.get(i);
      if (fences.fenced(event.recordKey(), event.id(), claim)) {
        // went out behind a failed event of its aggregate: sent again after it, no attempt counted
        retry.add(new Retry(event.id(), false, Duration.ZERO, BEHIND_FAILURE));
        if (results.acked(i)) {
          deliveredAhead.add(event.id());
        }
      } else if (results.acked(i)) {
        published.add(event.id());
      } else if (results.error(i) instanceof RecordBatchSender.HeldBack heldBack) {
        // not attempted: due again at once, and the claim keeps it behind its refused predecessor
        retry.add(new Retry(event.id(), false, Duration.ZERO, heldBack.getMessage()));
      } else {
        PublishFailure failure =
            PublishFailure.classify(results.error(i), reachable, results.handedOver(i));
        unavailable |= failed(event, failure, retry, burials);
        if (!PublishFailure.permanent(results.error(i))) {
          fences.failed(event.recordKey(), event.id());
          failedKeys.add(event.recordKey());
        }
      }
    }
    if (!deliveredAhead.isEmpty()) {
      // Kafka has them before the failed event: its consumers see them first, then again after it
      LOG.warn(
          "events {} were acknowledged after an earlier event of their aggregate failed: delivered"
              + " ahead of it, they are sent again after it",
          deliveredAhead);
    }
    return new Verdict(
        results,
        published,
        new Settlement(List.copyOf(published), retry, burials),
        failedKeys,
        unavailable && published.isEmpty());
  }

  /**
   * Files a record the broker did not acknowledge under a retry or a burial, by what its error
   * says; true when it says the cluster is unavailable (no attempt counted).
   */
  private boolean failed(
      ClaimedEvent event, PublishFailure failure, List<Retry> retry, List<Burial> burials) {
    // stopping, the producer may be closed under the batch: that is no attempt of the record's
    PublishFailure.Kind kind =
        stopping.getAsBoolean() && failure.kind() == PublishFailure.Kind.TRANSIENT
            ? PublishFailure.Kind.UNAVAILABLE
            : failure.kind();
    metrics.failed(kind);
    switch (kind) {
      case UNAVAILABLE -> {
        LOG.debug(
            "event {} not acknowledged, retried at once without an attempt: {}: {}",
            event.id(),
            failure.errorClass(),
            failure.message());
        retry.add(new Retry(event.id(), false, Duration.ZERO, failure.message()));
      }
      case PERMANENT -> burials.add(bury(event, failure));
      case TRANSIENT -> {
        if (event.attempts() + 1 >= event.maxAttempts()) {
          burials.add(bury(event, failure));
        } else {
          retry.add(retryLater(event, failure));
        }
      }
    }
    return kind == PublishFailure.Kind.UNAVAILABLE;
  }

  private Retry retryLater(ClaimedEvent event, PublishFailure failure) {
    Duration delay = retries.delay(event.attempts() + 1);
    LOG.warn(
        "publish failed, retry in {} ms: tenant={} event={} topic={} attempt={}: {}",
        delay.toMillis(),
        event.tenantId(),
        event.id(),
        event.topic(),
        event.attempts() + 1,
        failure.message());
    return new Retry(event.id(), true, delay, failure.message());
  }

  private static Burial bury(ClaimedEvent event, PublishFailure failure) {
    LOG.error(
        "event dead-lettered after {} attempt(s): tenant={} event={} topic={} {}: {}",
        event.attempts() + 1,
        event.tenantId(),
        event.id(),
        event.topic(),
        failure.errorClass(),
        failure.message());
    return new Burial(event.id(), failure.message(), failure.errorClass());
  }
}
