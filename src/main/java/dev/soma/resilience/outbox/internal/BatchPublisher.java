package dev.soma.resilience.outbox.internal;

import dev.soma.resilience.common.RetrySchedule;
import dev.soma.resilience.outbox.internal.OutboxRepository.Burial;
import dev.soma.resilience.outbox.internal.OutboxRepository.Retry;
import dev.soma.resilience.outbox.internal.OutboxRepository.Settlement;
import io.vertx.core.Future;
import io.vertx.kafka.client.producer.KafkaProducer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
  private final KafkaProducer<String, String> producer;
  private final DeadLetterPublisher deadLetters;
  private final BrokerProbe probe;
  private final OutboxMetrics metrics;
  private final RetrySchedule retries;
  private final String relayId;
  private final Clock clock;
  private long lastAckMillis;

  BatchPublisher(
      OutboxRepository repository,
      KafkaProducer<String, String> producer,
      DeadLetterPublisher deadLetters,
      BrokerProbe probe,
      OutboxMetrics metrics,
      RetrySchedule retries,
      String relayId,
      Clock clock) {
    this.repository = repository;
    this.producer = producer;
    this.deadLetters = deadLetters;
    this.probe = probe;
    this.metrics = metrics;
    this.retries = retries;
    this.relayId = relayId;
    this.clock = clock;
  }

  Future<Outcome> publish(List<ClaimedEvent> batch) {
    metrics.batch(batch.size());
    long sentAt = clock.millis();
    Map<String, Future<?>> topicReady = new HashMap<>();
    List<Future<Long>> acks = new ArrayList<>(batch.size());
    for (ClaimedEvent event : batch) {
      // Knowing the topic's partitions first keeps send() from blocking per record on metadata.
      Future<?> ready = topicReady.computeIfAbsent(event.topic(), producer::partitionsFor);
      acks.add(
          ready
              .compose(v -> producer.send(KafkaRecords.of(event)))
              .map(
                  meta -> {
                    lastAckMillis = clock.millis();
                    return lastAckMillis;
                  }));
    }
    return Future.join(acks)
        .transform(all -> brokerReachable(acks, sentAt))
        .compose(reachable -> settle(batch, acks, reachable));
  }

  /** Whether the broker answered since {@code sentAt}: an ack, or else a probe. */
  private Future<Boolean> brokerReachable(List<Future<Long>> acks, long sentAt) {
    boolean allAcked = acks.stream().allMatch(Future::succeeded);
    if (allAcked || lastAckMillis >= sentAt) {
      return Future.succeededFuture(true);
    }
    return probe.reachable();
  }

  private Future<Outcome> settle(
      List<ClaimedEvent> batch, List<Future<Long>> acks, boolean reachable) {
    List<Long> published = new ArrayList<>();
    List<Retry> retry = new ArrayList<>();
    List<Burial> burials = new ArrayList<>();
    boolean unavailable = false;
    for (int i = 0; i < batch.size(); i++) {
      ClaimedEvent event = batch.get(i);
      Future<Long> ack = acks.get(i);
      if (ack.succeeded()) {
        published.add(event.id());
        continue;
      }
      PublishFailure failure = PublishFailure.classify(ack.cause(), reachable);
      metrics.failed(failure.kind());
      switch (failure.kind()) {
        case UNAVAILABLE -> {
          unavailable = true;
          retry.add(new Retry(event.id(), false, Duration.ZERO, failure.message()));
        }
        case PERMANENT -> burials.add(bury(event, failure));
        case TRANSIENT -> {
          if (event.attempts() + 1 >= event.maxAttempts()) {
            burials.add(bury(event, failure));
          } else {
            Duration delay = retries.delay(event.attempts() + 1);
            LOG.warn(
                "publish failed, retry in {} ms: tenant={} event={} topic={} attempt={}: {}",
                delay.toMillis(),
                event.tenantId(),
                event.id(),
                event.topic(),
                event.attempts() + 1,
                failure.message());
            retry.add(new Retry(event.id(), true, delay, failure.message()));
          }
        }
      }
    }
    Settlement settlement = new Settlement(published, retry, burials);
    boolean brokerDown = unavailable && published.isEmpty();
    return repository
        .settle(relayId, settlement)
        .map(
            buried -> {
              for (int i = 0; i < batch.size(); i++) {
                if (acks.get(i).succeeded()) {
                  ClaimedEvent event = batch.get(i);
                  metrics.published(
                      event.topic(),
                      Duration.ofMillis(
                          acks.get(i).result() - event.createdAt().toInstant().toEpochMilli()));
                }
              }
              if (!buried.isEmpty()) {
                deadLetters.publishPending(buried.size() + 100);
              }
              return new Outcome(published.size(), retry.size() + burials.size(), brokerDown);
            });
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
