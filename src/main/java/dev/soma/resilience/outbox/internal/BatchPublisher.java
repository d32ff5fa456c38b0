package dev.soma.resilience.outbox.internal;

import dev.soma.resilience.common.RetrySchedule;
import dev.soma.resilience.config.OutboxConfig;
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
 * to the producer in id order, so one aggregate's events keep their order on its partition. What
 * becomes of each row is {@link BatchVerdicts}'s call; this class sends, settles and paces.
 */
final class BatchPublisher {

  private static final Logger LOG = LoggerFactory.getLogger(BatchPublisher.class);

  /** What happened to a batch, for the relay's pacing. */
  record Outcome(int published, int failed, boolean brokerUnavailable) {
    boolean anyPublished() {
      return published > 0;
    }
  }

  private static final Duration SETTLE_RETRY_MAX = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final OutboxRepository repository;
  private final RecordBatchSender sender;
  private final OrderFences fences;
  private final BatchVerdicts verdicts;
  private final ClaimNumbers claims;
  private final DeadLetterPublisher deadLetters;
  private final BrokerProbe probe;
  private final OutboxMetrics metrics;
  private final String relayId;
  private final Clock clock;
  private final BooleanSupplier stopping;
  private final Duration lease;
  private long lastAckMillis;
  private final AggregatesInFlight aggregatesInFlight = new AggregatesInFlight();
  private Future<Void> lastJudged = Future.succeededFuture();

  BatchPublisher(
      Vertx vertx,
      RelayParts parts,
      RecordBatchSender sender,
      OrderFences fences,
      ClaimNumbers claims,
      RetrySchedule retries,
      String relayId,
      Clock clock,
      BooleanSupplier stopping) {
    this.vertx = vertx;
    this.repository = parts.repository();
    this.sender = sender;
    this.fences = fences;
    this.claims = claims;
    this.deadLetters = parts.deadLetters();
    this.probe = parts.probe();
    this.metrics = parts.metrics();
    this.verdicts = new BatchVerdicts(fences, metrics, retries, stopping);
    this.relayId = relayId;
    this.clock = clock;
    this.stopping = stopping;
    this.lease = parts.config().lease();
  }

  /**
   * The publisher of a relay or a drain, whose claims {@code claims} numbers: retries back off as
   * the parts' config says, records go out through the process's outbox send thread, and rows are
   * settled for {@code owner}. While {@code stopping} says so, a record that fails for a reason
   * that might pass (the producer being closed under it, above all) goes back to pending without an
   * attempt counted, and a settlement the database refused is not tried again.
   */
  static BatchPublisher create(
      Vertx vertx,
      RelayParts parts,
      String owner,
      ClaimNumbers claims,
      Clock clock,
      BooleanSupplier stopping) {
    OutboxConfig config = parts.config();
    RetrySchedule retries =
        new RetrySchedule(
            config.backoffInitial(), config.backoffMax(), ThreadLocalRandom.current()::nextDouble);
    OrderFences fences = new OrderFences();
    return new BatchPublisher(
        vertx,
        parts,
        RecordBatchSender.create(vertx, parts.producer(), clock, fences),
        fences,
        claims,
        retries,
        owner,
        clock,
        stopping);
  }

  /**
   * Sends the batch that claim {@code claim} leased, then settles its rows. Batches are judged
   * (which rows count as published) strictly in the order they were handed over, which is their
   * order on the send path: a failure is known before any later batch of its aggregate is judged.
   * Their settlements may then run side by side. A settlement the database refuses is tried again
   * (backing off up to 5 s) until it succeeds, the relay stops, or the rows' lease is over: the
   * rows' fate is known, and while their lease lasts the claim would take later rows of their
   * aggregates as following them on the send path.
   */
  Future<Outcome> publish(List<ClaimedEvent> batch, long claim) {
    metrics.batch(batch.size());
    long sentAt = clock.millis();
    List<ProducerRecord<String, String>> records = new ArrayList<>(batch.size());
    long[] ids = new long[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      records.add(KafkaRecords.of(batch.get(i)));
      ids[i] = batch.get(i).id();
    }
    AggregatesInFlight.Sent out = aggregatesInFlight.sent(batch);
    if (out.pipelined()) {
      metrics.pipelined();
    }
    Future<RecordBatchSender.Results> sent =
        sender.send(records, ids, claim).onComplete(answered -> aggregatesInFlight.answered(out));
    Future<BatchVerdicts.Verdict> verdict =
        lastJudged
            .transform(previous -> sent)
            .compose(results -> brokerReachable(results, sentAt))
            .map(answer -> verdicts.judge(batch, claim, answer.results(), answer.reachable()));
    lastJudged = verdict.transform(ignored -> Future.succeededFuture());
    return verdict
        .compose(
            v ->
                settleUntilDone(v.settlement(), clock.millis() + lease.toMillis(), 0)
                    .map(done -> settled(batch, claim, v, done))
                    .onFailure(e -> givenUp(claim, v)))
        .onComplete(ar -> claims.closed(claim));
  }

  /**
   * The settlement could not be written within the lease (or the relay stops): the rows stay leased
   * until their lease ends and are then claimed again, in order, from the first. By then no claim
   * can take them as the relay's own rows in flight, so the batch's fences may go.
   */
  private void givenUp(long claim, BatchVerdicts.Verdict verdict) {
    claims.closed(claim);
    fences.settled(verdict.failedKeys(), claims.started(), claims.oldestOpen());
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

  private Future<OutboxRepository.Settled> settleUntilDone(
      Settlement settlement, long untilMillis, int failures) {
    return repository
        .settle(relayId, settlement)
        .recover(
            e -> {
              if (stopping.getAsBoolean() || clock.millis() >= untilMillis) {
                return Future.failedFuture(e);
              }
              long delay = Math.min(SETTLE_RETRY_MAX.toMillis(), 100L << Math.min(failures, 6));
              LOG.warn(
                  "outbox relay {}: settling a batch failed, trying again in {} ms: {}",
                  relayId,
                  delay,
                  e.toString());
              return vertx
                  .timer(delay)
                  .compose(v -> settleUntilDone(settlement, untilMillis, failures + 1));
            });
  }

  /**
   * Once the rows are settled: the fences, the publish latencies, the rows whose lease was lost,
   * the dead letters and their .dlq copies.
   */
  private Outcome settled(
      List<ClaimedEvent> batch,
      long claim,
      BatchVerdicts.Verdict verdict,
      OutboxRepository.Settled done) {
    claims.closed(claim);
    fences.settled(verdict.failedKeys(), claims.started(), claims.oldestOpen());
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
      ClaimedEvent event = batch.get(i);
      if (verdict.published().contains(event.id())) {
        metrics.published(
            event.topic(),
            Duration.ofMillis(
                verdict.results().ackMillis(i) - event.createdAt().toInstant().toEpochMilli()));
      }
    }
    buried.forEach(metrics::deadLettered);
    if (!buried.isEmpty()) {
      deadLetters.publishPending(buried.size() + 100);
    }
    Settlement settlement = verdict.settlement();
    return new Outcome(
        settlement.published().size(),
        settlement.retries().size() + settlement.burials().size(),
        verdict.brokerDown());
  }
}
