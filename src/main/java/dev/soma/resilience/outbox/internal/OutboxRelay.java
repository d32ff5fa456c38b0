package dev.soma.resilience.outbox.internal;

import dev.soma.resilience.common.FailureLog;
import dev.soma.resilience.common.db.LeaseKeeper;
import dev.soma.resilience.config.OutboxConfig;
import dev.soma.resilience.outbox.OutboxAddresses;
import dev.soma.resilience.outbox.internal.RelayPacing.Event;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
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
 * wait without using up their attempts ({@link RelayPacing}). All state is confined to the
 * verticle's event loop.
 */
public final class OutboxRelay extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);

  /** How long {@link #stop} waits for claims and batches in flight to be settled. */
  static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private final OutboxRepository repository;
  private final LeaseKeeper keeper;
  private final Function<Vertx, BatchPublisher> publishers;
  private final WakeSignals signals;
  private final OutboxConfig config;
  private final String relayId;
  private final TenantQuotas quotas;
  private final ReplayRelease replayRelease;
  private final FailureLog failures;
  private final Clock clock;
  private final ClaimScheduler claims;
  private final RelayPacing pacing;
  private final ClaimReturns claimReturns = new ClaimReturns();
  private final ClaimNumbers claimNumbers = new ClaimNumbers();

  /** Per bucket, and last for claims over all buckets. */
  private final String[] tenantCursors = new String[OutboxRepository.CLAIM_BUCKETS + 1];

  private BatchPublisher publisher;
  private int inFlight;
  private long pauseTimer = -1;
  private long releaseTimer = -1;
  private StopGrace stopGrace;

  public OutboxRelay(
      RelayParts parts, String relayId, Optional<PgConnectOptions> listenTo, Clock clock) {
    OutboxConfig config = parts.config();
    this.repository = parts.repository();
    this.keeper = parts.keeper();
    this.config = config;
    this.relayId = relayId;
    this.clock = clock;
    this.quotas = new TenantQuotas(config.tenantQuota(), clock, parts.flags(), parts.relayNodes());
    this.replayRelease =
        new ReplayRelease(
            parts.repository().pool(),
            new ReplayPace(config.replay().rate(), parts.relayNodes(), clock),
            relayId,
            this::wake);
    this.failures = new FailureLog(clock, Duration.ofMinutes(1));
    this.claims = new ClaimScheduler(config.batchSize(), config.concurrentClaims());
    this.pacing = new RelayPacing(config.maxInFlightBatches(), config.kafkaDownBackoffMax(), clock);
    this.publishers =
        vertx -> parts.publisher(vertx, relayId, claimNumbers, clock, pacing::stopping);
    this.signals = new WakeSignals(relayId, config.pollInterval(), listenTo);
    Arrays.fill(tenantCursors, "");
  }

  @Override
  public Future<?> start() {
    publisher = publishers.apply(vertx);
    releaseTimer = vertx.setPeriodic(ReplayRelease.INTERVAL_MS, id -> replayRelease.round());
    return signals
        .start(vertx, this::wake)
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
    pacing.apply(Event.STOP);
    vertx.cancelTimer(pauseTimer);
    vertx.cancelTimer(releaseTimer);
    Future<Void> signalsStopped = signals.stop();
    stopGrace = StopGrace.begin(vertx, relayId, STOP_GRACE, () -> inFlight + claims.running());
    return Future.all(signalsStopped, stopGrace.settled());
  }

  /** Once stopping, lets {@link #stop} complete when nothing is in flight any more. */
  private void settleCheck() {
    if (stopGrace != null) {
      stopGrace.check();
    }
  }

  /** Something may be waiting: claim as soon as the pipeline has room. */
  void wake() {
    claims.woken();
    pump();
  }

  /**
   * Starts the claims the {@link ClaimScheduler} wants while {@link RelayPacing} admits them.
   * Claims in progress count against the pipeline, so the relay never holds more batches than
   * {@code maxInFlightBatches}. None while the lease keeper has lost its lock: such leases would be
   * over as soon as taken (the poll wakes the relay again).
   */
  private void pump() {
    while (keeper.holding() && pacing.mayClaim(inFlight + claims.running())) {
      int bucket = claims.next();
      if (bucket == ClaimScheduler.NONE) {
        return;
      }
      claim(bucket);
    }
  }

  private void claim(int bucket) {
    int cursor = bucket == OutboxRepository.ALL_BUCKETS ? tenantCursors.length - 1 : bucket;
    long number = claimNumbers.start();
    claimReturns.started(number);
    repository
        .claim(
            new Claim(
                relayId,
                config.batchSize(),
                config.lease(),
                bucket,
                tenantCursors[cursor],
                quotas.remaining(),
                quotas.defaultRemaining(),
                keeper.holder()))
        .onComplete(ar -> claimReturns.returned(number, () -> claimed(bucket, cursor, number, ar)));
  }

  /** What claim {@code number} on {@code bucket} brought, handed on in the order claims started. */
  private void claimed(
      int bucket, int cursor, long number, AsyncResult<OutboxRepository.Claimed> ar) {
    if (ar.failed()) {
      claimNumbers.closed(number);
      claims.finished(bucket, 0);
      failures.warn(LOG, "outbox relay " + relayId + ": claim failed", ar.cause());
      paced(pacing.apply(Event.CLAIM_FAILED));
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
    dispatch(batch, number);
    settleCheck();
  }

  private void dispatch(List<ClaimedEvent> batch, long claim) {
    quotas.record(batch);
    if (quotas.anyExhausted()) {
      vertx.setTimer(quotas.millisToNextWindow(), id -> wake());
    }
    if (batch.isEmpty()) {
      claimNumbers.closed(claim);
      pump();
      return;
    }
    inFlight++;
    publisher
        .publish(batch, claim)
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
                paced(pacing.apply(Event.of(ar.result())));
              }
              // Settled rows may have held back later rows of their aggregates.
              wake();
              settleCheck();
            });
    pump();
  }

  /** Acts on a pacing step: says when an outage begins or ends, and wakes when a pause is over. */
  private void paced(RelayPacing.Step step) {
    if (step.outageBegan()) {
      LOG.warn(
          "outbox relay {}: Kafka unreachable; rows wait, probing every <= {} ms",
          relayId,
          config.kafkaDownBackoffMax().toMillis());
    } else if (step.outageEnded()) {
      LOG.info(
          "outbox relay {}: Kafka reachable again after {} failed rounds",
          relayId,
          step.from().outageRounds());
    }
    if (!step.pause().isZero()) {
      vertx.cancelTimer(pauseTimer);
      pauseTimer = vertx.setTimer(Math.max(1, step.pause().toMillis()), id -> wake());
    }
  }
}
