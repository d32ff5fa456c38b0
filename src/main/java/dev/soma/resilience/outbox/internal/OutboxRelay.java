package dev.soma.resilience.outbox.internal;

import dev.soma.resilience.config.OutboxConfig;
import dev.soma.resilience.outbox.OutboxAddresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays committed outbox rows to Kafka. It claims batches (see {@link ClaimSql#CLAIM}), as the
 * {@link ClaimScheduler} says (one over all tenants at a time while rows trickle in, up to {@code
 * concurrentClaims} on different tenant buckets through a backlog), keeps claims in progress and
 * batches waiting for broker acks within {@code maxInFlightBatches}, and marks a row published only
 * after its record was acknowledged. It wakes on an in-process signal after our own commits ({@link
 * OutboxAddresses#COMMITTED}), on PostgreSQL {@code NOTIFY outbox_messages} for commits made
 * elsewhere, after each settled batch (it may have held back later rows of its aggregates), and on
 * a poll timer as the safety net.
 *
 * <p>While the broker is unreachable it sends one batch at a time, backing off exponentially; rows
 * wait without using up their attempts. All state is confined to the verticle's event loop.
 */
public final class OutboxRelay extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);

  /**
   * How long {@link #stop} waits for claims and batches in flight to be settled. After that the
   * relay stops anyway: the rows of what is still unsettled go back to pending, uncounted, when the
   * closing producer gives up on them, or else wait for their lease to end.
   */
  static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private final OutboxRepository repository;
  private final KafkaProducer<String, String> producer;
  private final DeadLetterPublisher deadLetters;
  private final BrokerProbe probe;
  private final OutboxMetrics metrics;
  private final OutboxConfig config;
  private final String relayId;
  private final Optional<PgConnectOptions> listenTo;
  private final TenantQuotas quotas;
  private final Clock clock;
  private final ClaimScheduler claims;

  /** Per bucket, and last for claims over all buckets. */
  private final String[] tenantCursors = new String[OutboxRepository.CLAIM_BUCKETS + 1];

  private BatchPublisher publisher;
  private MessageConsumer<Object> signals;
  private PgSubscriber subscriber;
  private long pollTimer = -1;
  private boolean stopping;
  private int inFlight;
  private long pausedUntil;
  private long pauseTimer = -1;
  private int outageRounds;
  private Promise<Void> settledAll;

  public OutboxRelay(
      OutboxRepository repository,
      KafkaProducer<String, String> producer,
      DeadLetterPublisher deadLetters,
      BrokerProbe probe,
      OutboxMetrics metrics,
      OutboxConfig config,
      String relayId,
      Optional<PgConnectOptions> listenTo,
      Clock clock) {
    this.repository = repository;
    this.producer = producer;
    this.deadLetters = deadLetters;
    this.probe = probe;
    this.metrics = metrics;
    this.config = config;
    this.relayId = relayId;
    this.listenTo = listenTo;
    this.clock = clock;
    this.quotas = new TenantQuotas(config.tenantQuota(), clock);
    this.claims = new ClaimScheduler(config.batchSize(), config.concurrentClaims());
    Arrays.fill(tenantCursors, "");
  }

  @Override
  public Future<?> start() {
    publisher =
        BatchPublisher.create(
            vertx, repository, producer, deadLetters, probe, metrics, config, relayId, clock);
    signals = vertx.eventBus().consumer(OutboxAddresses.COMMITTED, message -> wake());
    pollTimer = vertx.setPeriodic(config.pollInterval().toMillis(), id -> wake());
    Future<Void> listening = listenTo.map(this::listen).orElse(Future.succeededFuture());
    return Future.all(signals.completion(), listening)
        .onSuccess(
            v -> {
              LOG.info(
                  "outbox relay {} started (batch {}, {} batches in flight, poll every {} ms)",
                  relayId,
                  config.batchSize(),
                  config.maxInFlightBatches(),
                  config.pollInterval().toMillis());
              wake();
            });
  }

  /**
   * Stops claiming, then waits (up to {@link #STOP_GRACE}) until the claims and batches in flight
   * are settled, so that their rows are marked or rescheduled now rather than sent again when their
   * leases end. The producer must stay open until this completes.
   */
  @Override
  public Future<?> stop() {
    stopping = true;
    publisher.stopping();
    vertx.cancelTimer(pollTimer);
    vertx.cancelTimer(pauseTimer);
    Future<Void> closed = subscriber == null ? Future.succeededFuture() : subscriber.close();
    settledAll = Promise.promise();
    vertx.setTimer(
        STOP_GRACE.toMillis(),
        id -> {
          if (settledAll.tryComplete()) {
            LOG.warn(
                "outbox relay {} stopped with {} batch(es) unsettled after {} s; their rows go"
                    + " back to pending when the producer gives up on them, or when their lease"
                    + " ends",
                relayId,
                inFlight + claims.running(),
                STOP_GRACE.toSeconds());
          }
        });
    settleCheck();
    return Future.all(signals.unregister(), closed, settledAll.future());
  }

  /** Once stopping, completes {@link #stop} when nothing is in flight any more. */
  private void settleCheck() {
    if (settledAll != null && inFlight == 0 && claims.running() == 0) {
      settledAll.tryComplete();
    }
  }

  private Future<Void> listen(PgConnectOptions options) {
    subscriber =
        PgSubscriber.subscriber(vertx, options)
            .reconnectPolicy(retries -> retries < 1_000_000 ? 1000L : -1L);
    subscriber.channel("outbox_messages").handler(payload -> wake());
    // LISTEN is an accelerator: without it the poll still finds every row.
    return subscriber
        .connect()
        .recover(
            e -> {
              LOG.warn(
                  "outbox relay {}: LISTEN outbox_messages unavailable, relying on polling: {}",
                  relayId,
                  e.toString());
              return Future.succeededFuture();
            });
  }

  /** Something may be waiting: claim as soon as the pipeline has room. */
  void wake() {
    claims.woken();
    pump();
  }

  /**
   * Starts the claims the {@link ClaimScheduler} wants while the pipeline has room. Claims in
   * progress count against {@code maxInFlightBatches}, so the relay never holds more batches than
   * that.
   */
  private void pump() {
    while (!stopping
        && inFlight + claims.running() < maxInFlight()
        && clock.millis() >= pausedUntil) {
      int bucket = claims.next();
      if (bucket == ClaimScheduler.NONE) {
        return;
      }
      claim(bucket);
    }
  }

  private void claim(int bucket) {
    int cursor = bucket == OutboxRepository.ALL_BUCKETS ? tenantCursors.length - 1 : bucket;
    repository
        .claim(
            new OutboxRepository.Claim(
                relayId,
                config.batchSize(),
                config.lease(),
                bucket,
                tenantCursors[cursor],
                quotas.remaining(),
                quotas.defaultRemaining()))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                claims.finished(bucket, 0);
                LOG.warn(
                    "outbox relay {}: claim failed, retrying: {}", relayId, ar.cause().toString());
                pauseFor(Duration.ofSeconds(1));
                settleCheck();
                return;
              }
              List<ClaimedEvent> batch = ar.result().events();
              claims.finished(bucket, batch.size());
              tenantCursors[cursor] = ar.result().nextTenantCursor();
              if (batch.isEmpty() && !tenantCursors[cursor].isEmpty()) {
                // a batch's worth of tenants had nothing to send: on to the next ones, now
                claims.woken();
              }
              dispatch(batch);
              settleCheck();
            });
  }

  private void dispatch(List<ClaimedEvent> batch) {
    quotas.record(batch);
    if (quotas.anyExhausted()) {
      vertx.setTimer(quotas.millisToNextWindow(), id -> wake());
    }
    if (batch.isEmpty()) {
      pump();
      return;
    }
    inFlight++;
    publisher
        .publish(batch)
        .onComplete(
            ar -> {
              inFlight--;
              if (ar.failed()) {
                LOG.error(
                    "outbox relay {}: batch of {} could not be settled; rows retry when their lease"
                        + " ends",
                    relayId,
                    batch.size(),
                    ar.cause());
              } else {
                afterBatch(ar.result());
              }
              // Settled rows may have held back later rows of their aggregates.
              wake();
              settleCheck();
            });
    pump();
  }

  private void afterBatch(BatchPublisher.Outcome outcome) {
    if (outcome.brokerUnavailable()) {
      outageRounds++;
      Duration pause = outagePause();
      if (outageRounds == 1) {
        LOG.warn(
            "outbox relay {}: Kafka unreachable; rows wait, probing every <= {} ms",
            relayId,
            config.kafkaDownBackoffMax().toMillis());
      }
      pauseFor(pause);
    } else if (outcome.anyPublished() && outageRounds > 0) {
      LOG.info(
          "outbox relay {}: Kafka reachable again after {} failed rounds", relayId, outageRounds);
      outageRounds = 0;
      pausedUntil = 0;
    }
  }

  /** While Kafka is down, one batch probes at a time. */
  private int maxInFlight() {
    return outageRounds > 0 ? 1 : config.maxInFlightBatches();
  }

  private Duration outagePause() {
    long max = config.kafkaDownBackoffMax().toMillis();
    long pause = Math.min(max, 250L << Math.min(outageRounds, 20));
    return Duration.ofMillis(pause);
  }

  private void pauseFor(Duration pause) {
    pausedUntil = clock.millis() + pause.toMillis();
    vertx.cancelTimer(pauseTimer);
    pauseTimer = vertx.setTimer(Math.max(1, pause.toMillis()), id -> wake());
  }
}
