package dev.soma.resilience.common.db;

import dev.soma.resilience.common.FailureLog;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgChannel;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one process's in-memory copy of a small table in step with every other process's: reads the
 * whole table at start ({@link #start} completes once the read is applied, so a restart keeps what
 * is stored), again on every {@code NOTIFY} on {@link Names#channel} (the writer notifies in the
 * transaction that changes a row, so a change anywhere arrives within a round trip), on every
 * (re)connection of its {@code LISTEN} (a notification missed while disconnected), on request at
 * {@link Names#reload}, and every {@code reread} as the safety net. Each read is applied whole; a
 * read that started before one already applied is dropped, so an older answer never undoes a newer
 * one. After every read, what is in force here is published on {@link Names#applied} and is the
 * reply to a reload. Deploy one per process and table.
 *
 * @param <T> what one read of the table gives
 */
public final class TableSync<T> extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(TableSync.class);

  /** One line per outage, then a count a minute: the table is re-read every few seconds. */
  private final FailureLog failures = new FailureLog(Clock.systemUTC(), Duration.ofMinutes(1));

  /** What a {@link TableSync} keeps up to date. Called on the sync's event loop. */
  public interface Target<T> {

    /** Reads the whole table. */
    Future<T> read();

    /** Applies {@code read}, newer than every read applied before. */
    void apply(T read);

    /** What is in force here now, as announced after each read. */
    JsonObject inForce();
  }

  /**
   * Where the sync listens and speaks.
   *
   * @param what the table's name for people, in log lines
   * @param channel the PostgreSQL channel its writers {@code NOTIFY}
   * @param reload the event-bus address that asks for a read now (request/reply)
   * @param applied the event-bus address {@link Target#inForce} is published on after each read
   */
  public record Names(String what, String channel, String reload, String applied) {}

  private final Names names;
  private final Target<T> target;
  private final PgConnectOptions listenTo;
  private final Duration reread;

  private PgSubscriber subscriber;
  private MessageConsumer<Object> reloads;
  private long timer = -1;
  private long readsStarted;
  private long newestApplied;

  public TableSync(Names names, Target<T> target, PgConnectOptions listenTo, Duration reread) {
    this.names = names;
    this.target = target;
    this.listenTo = listenTo;
    this.reread = reread;
  }

  @Override
  public Future<?> start() {
    reloads =
        vertx
            .eventBus()
            .consumer(
                names.reload(),
                message ->
                    reload()
                        .onSuccess(message::reply)
                        .onFailure(e -> message.fail(500, e.getMessage())));
    subscriber =
        PgSubscriber.subscriber(vertx, listenTo)
            .reconnectPolicy(retries -> retries < 1_000_000 ? 1000L : -1L);
    PgChannel channel = subscriber.channel(names.channel());
    // the subscriber's connection has a context of its own: read on this verticle's, which owns
    // the read counters (see outbox WakeSignals)
    channel.subscribeHandler(v -> context.runOnContext(ignored -> reloadQuietly()));
    channel.handler(payload -> context.runOnContext(ignored -> reloadQuietly()));
    timer = vertx.setPeriodic(reread.toMillis(), id -> reloadQuietly());
    // LISTEN is the accelerator: without it the periodic read still applies every change
    Future<Void> listening =
        subscriber
            .connect()
            .recover(
                e -> {
                  LOG.warn(
                      "LISTEN {} unavailable, {} re-read every {} ms: {}",
                      names.channel(),
                      names.what(),
                      reread.toMillis(),
                      e.toString());
                  return Future.succeededFuture();
                });
    return Future.all(reloads.completion(), listening).compose(v -> reload());
  }

  /**
   * Asks this process's sync listening at {@code reload} to read and apply its table now; completes
   * once it did (an admin change answers only when it holds here), fails after {@code timeout}.
   */
  public static Future<Void> reloadHere(Vertx vertx, String reload, Duration timeout) {
    return vertx
        .eventBus()
        .request(reload, new JsonObject(), new DeliveryOptions().setSendTimeout(timeout.toMillis()))
        .mapEmpty();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.join(reloads.unregister(), subscriber.close());
  }

  private void reloadQuietly() {
    reload().onFailure(e -> failures.warn(LOG, names.what() + " not re-read, keeping the last", e));
  }

  /** Reads and applies the table; completes with what is in force afterwards. */
  private Future<JsonObject> reload() {
    long read = ++readsStarted;
    return target
        .read()
        .map(
            rows -> {
              if (read > newestApplied) {
                newestApplied = read;
                target.apply(rows);
              }
              JsonObject inForce = target.inForce();
              vertx.eventBus().publish(names.applied(), inForce);
              return inForce;
            });
  }
}
