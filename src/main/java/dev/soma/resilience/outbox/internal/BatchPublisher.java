package dev.soma.resilience.outbox.internal;

import dev.soma.resilience.common.RetrySchedule;
import dev.soma.resilience.config.OutboxConfig;
import dev.soma.resilience.outbox.internal.OutboxRepository.Burial;
import dev.soma.resilience.outbox.internal.OutboxRepository.Retry;
import dev.soma.resilience.outbox.internal.OutboxRepository.Settlement;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one claimed batch and settles every row by what the broker said: acknowledged rows are
 * marked published, the rest retried, waiting out an outage, or dead-lettered. Records are handed
 * to the producer in id order, so one aggregate's events keep their order on its partition.
 */
final class BatchPublisher {

  private static final Logger LOG = LoggerFactory.getLogger(BatchPublisher.class);

  /** What happened to a batch, for the relay's pacing. */
  record Outcome(int published, int failed, boolean brokerUnavailable) {
    boolean anyPublished() {
      return published > 0;
    }
  }

  private final OutboxRepository repository;
  private final RecordBatchSender sender;
  private final DeadLetterPublisher deadLetters;
  private final BrokerProbe probe;
  private final OutboxMetrics metrics;
  private final RetrySchedule retries;
  private final String relayId;
  private final Clock clock;
  private final BooleanSupplier stopping;
  private long lastAckMillis;

  BatchPublisher(
      RelayParts parts,
      RecordBatchSender sender,
      RetrySchedule retries,
      String relayId,
      Clock clock,
      BooleanSupplier stopping) {
    this.repository = parts.repository();
    this.sender = sender;
    this.deadLetters = parts.deadLetters();
    this.probe = parts.probe();
    this.metrics = parts.metrics();
    this.retries = retries;
    this.relayId = relayId;
    this.clock = clock;
    this.stopping = stopping;
  }

  /**
   * The publisher of a relay or a drain: retries back off as the parts' config says, records go out
   * through the process's outbox send thread, and rows are settled for {@code owner}. While {@code
   * stopping} says so, a record that fails for a reason that might pass (the producer being closed
   * under it, above all) goes back to pending without an attempt counted.
   */
  static BatchPublisher create(
      Vertx vertx, RelayParts parts, String owner, Clock clock, BooleanSupplier stopping) {
    OutboxConfig config = parts.config();
    RetrySchedule retries =
        new RetrySchedule(
            config.backoffInitial(), config.backoffMax(), ThreadLocalRandom.current()::nextDouble);
    return new BatchPublisher(
        parts,
        RecordBatchSender.create(vertx, parts.producer(), clock),
        retries,
        owner,
        clock,
        stopping);
  }

  Future<Outcome> publish(List<ClaimedEvent> batch) {
    metrics.batch(batch.size());
    long sentAt = clock.millis();
    List<ProducerRecord<String, String>> records = new ArrayList<>(batch.size());
    for (ClaimedEvent event : batch) {
      records.add(KafkaRecords.of(event));
    }
    return sender
        .send(records)
        .compose(results -> brokerReachable(results, sentAt))
        .compose(answer -> settle(batch, answer.results(), answer.reachable()));
  }

  private record Answer(RecordBatchSender.Results results, boolean reachable) {}

  /** Whether the broker answered since {@code sentAt}: an ack, or else a probe. */
  private Future<Answer> brokerReachable(RecordBatchSender.Results results, long sentAt) {
    boolean allAcked = true;
    for (int i = 0; i < results.size(); i++) {
      if (results.acked(i)) {
        lastAckMillis = Math.max(lastAckMillis, results.ackMillis(i));
      } else {
        allAcked = false;
      }
    }
    if (allAcked || lastAckMillis >= sentAt) {
      return Future.succeededFuture(new Answer(results, true));
    }
    return probe.reachable().map(reachable -> new Answer(results, reachable));
  }

  private Future<Outcome> settle(
      List<ClaimedEvent> batch, RecordBatchSender.Results results, boolean reachable) {
    List<Long> published = new ArrayList<>();
    List<Retry> retry = new ArrayList<>();
    List<Burial> burials = new ArrayList<>();
    boolean unavailable = false;
    for (int i = 0; i < batch.size(); i++) {
      ClaimedEvent event = batch.get(i);
      if (results.acked(i)) {
        published.add(event.id());
      } else if (results.error(i) instanceof RecordBatchSender.HeldBack heldBack) {
        // not attempted: due again at once, and the claim keeps it behind its refused predecessor
        retry.add(new Retry(event.id(), false, Duration.ZERO, heldBack.getMessage()));
      } else {
        unavailable |= failed(event, results.error(i), reachable, retry, burials);
      }
    }
    boolean brokerDown = unavailable && published.isEmpty();
    return repository
        .settle(relayId, new Settlement(published, retry, burials))
        .map(
            settled -> {
              settled(batch, results, settled);
              return new Outcome(published.size(), retry.size() + burials.size(), brokerDown);
            });
  }

  /**
   * Files a record the broker did not acknowledge under a retry or a burial, by what its error
   * says; true when it says the cluster is unavailable (no attempt counted).
   */
  private boolean failed(
      ClaimedEvent event,
      Throwable error,
      boolean reachable,
      List<Retry> retry,
      List<Burial> burials) {
    PublishFailure failure = PublishFailure.classify(error, reachable);
    // stopping, the producer may be closed under the batch: that is no attempt of the record's
    PublishFailure.Kind kind =
        stopping.getAsBoolean() && failure.kind() == PublishFailure.Kind.TRANSIENT
            ? PublishFailure.Kind.UNAVAILABLE
            : failure.kind();
    metrics.failed(kind);
    switch (kind) {
      case UNAVAILABLE -> retry.add(new Retry(event.id(), false, Duration.ZERO, failure.message()));
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

  /**
   * Once the rows are settled: the publish latencies, the rows whose lease was lost, the dead
   * letters and their .dlq copies.
   */
  private void settled(
      List<ClaimedEvent> batch, RecordBatchSender.Results results, OutboxRepository.Settled done) {
    if (done.leaseLost() > 0) {
      // stalled past the lease (a pause, a long GC): another relay owns these rows now
      LOG.warn(
          "outbox relay {}: {} row(s) of a batch of {} (ids {} to {}) were taken over by another"
              + " relay before they were settled; left to it",
          relayId,
          done.leaseLost(),
          batch.size(),
          batch.get(0).id(),
          batch.get(batch.size() - 1).id());
      metrics.leaseLost(done.leaseLost());
    }
    List<String> buried = done.deadLetterTopics();
    for (int i = 0; i < batch.size(); i++) {
      if (results.acked(i)) {
        ClaimedEvent event = batch.get(i);
        metrics.published(
            event.topic(),
            Duration.ofMillis(results.ackMillis(i) - event.createdAt().toInstant().toEpochMilli()));
      }
    }
    buried.forEach(metrics::deadLettered);
    if (!buried.isEmpty()) {
      deadLetters.publishPending(buried.size() + 100);
    }
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
