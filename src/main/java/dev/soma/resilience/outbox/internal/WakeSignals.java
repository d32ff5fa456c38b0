package dev.soma.resilience.outbox.internal;

import dev.soma.resilience.outbox.OutboxAddresses;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a relay that rows may be waiting: on the in-process signal after this process's commits
 * ({@link OutboxAddresses#COMMITTED}), on PostgreSQL {@code NOTIFY outbox_messages} for commits
 * made elsewhere (when there is a connection to {@code LISTEN} on), and on a poll timer as the
 * safety net. Must be started and stopped on the relay's context, and every signal calls the relay
 * there: the subscriber's connection has a context of its own, and a relay woken on it would claim,
 * and hand its batches to the send path, from a second context (whose blocking tasks Vert.x orders
 * apart from the relay's own: batches of one aggregate then reached the producer out of order while
 * the send thread waited on a first contact), and touch its state from two contexts.
 */
final class WakeSignals {

  private static final Logger LOG = LoggerFactory.getLogger(WakeSignals.class);

  private final String relayId;
  private final Duration pollInterval;
  private final Optional<PgConnectOptions> listenTo;

  private Vertx vertx;
  private MessageConsumer<Object> committed;
  private PgSubscriber subscriber;
  private long pollTimer = -1;

  WakeSignals(String relayId, Duration pollInterval, Optional<PgConnectOptions> listenTo) {
    this.relayId = relayId;
    this.pollInterval = pollInterval;
    this.listenTo = listenTo;
  }

  /** Starts calling {@code wake}; completes once the signals are registered. */
  Future<Void> start(Vertx vertx, Runnable wake) {
    this.vertx = vertx;
    Context relay = vertx.getOrCreateContext();
    // local: relays on other nodes learn of the commit from NOTIFY, like any other process
    committed = vertx.eventBus().localConsumer(OutboxAddresses.COMMITTED, message -> wake.run());
    pollTimer = vertx.setPeriodic(pollInterval.toMillis(), id -> wake.run());
    Future<Void> listening =
        listenTo
            .map(options -> listen(options, () -> relay.runOnContext(v -> wake.run())))
            .orElse(Future.succeededFuture());
    return Future.all(committed.completion(), listening).mapEmpty();
  }

  /** Stops every signal. */
  Future<Void> stop() {
    vertx.cancelTimer(pollTimer);
    Future<Void> closed = subscriber == null ? Future.succeededFuture() : subscriber.close();
    return Future.all(committed.unregister(), closed).mapEmpty();
  }

  private Future<Void> listen(PgConnectOptions options, Runnable wake) {
    subscriber =
        PgSubscriber.subscriber(vertx, options)
            .reconnectPolicy(retries -> retries < 1_000_000 ? 1000L : -1L);
    subscriber.channel("outbox_messages").handler(payload -> wake.run());
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
}
