package dev.soma.resilience.breaker.internal;

import dev.soma.resilience.breaker.BreakerAddresses;
import dev.soma.resilience.breaker.BreakerId;
import dev.soma.resilience.breaker.BreakerOverride;
import dev.soma.resilience.breaker.BreakerOverrides;
import dev.soma.resilience.breaker.BreakerPanel;
import dev.soma.resilience.breaker.OverridesApplied;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgChannel;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this process's breakers under the stored overrides: reads them all at start (so a restart
 * keeps them: {@link #start} completes once they are applied), again on every {@code NOTIFY} on
 * {@link BreakerOverrides#CHANNEL} (a change anywhere reaches this process within a round trip), on
 * every (re)connection of its {@code LISTEN} (a notification missed while disconnected), on {@link
 * BreakerAddresses#RELOAD}, and every {@code reread} as the safety net. Each read replaces the
 * panel's whole set; a read that started before another one that was already applied is dropped, so
 * an older answer never undoes a newer one. Deploy one per service process.
 */
public final class OverrideSync extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(OverrideSync.class);

  private final BreakerOverrides store;
  private final BreakerPanel panel;
  private final PgConnectOptions listenTo;
  private final Duration reread;

  private PgSubscriber subscriber;
  private MessageConsumer<Object> reloads;
  private long timer = -1;
  private long readsStarted;
  private long newestApplied;

  public OverrideSync(
      BreakerOverrides store, BreakerPanel panel, PgConnectOptions listenTo, Duration reread) {
    this.store = store;
    this.panel = panel;
    this.listenTo = listenTo;
    this.reread = reread;
  }

  @Override
  public Future<?> start() {
    reloads =
        vertx
            .eventBus()
            .consumer(
                BreakerAddresses.RELOAD,
                message ->
                    reload()
                        .onSuccess(message::reply)
                        .onFailure(e -> message.fail(500, e.getMessage())));
    subscriber =
        PgSubscriber.subscriber(vertx, listenTo)
            .reconnectPolicy(retries -> retries < 1_000_000 ? 1000L : -1L);
    PgChannel channel = subscriber.channel(BreakerOverrides.CHANNEL);
    channel.subscribeHandler(v -> reloadQuietly());
    channel.handler(payload -> reloadQuietly());
    timer = vertx.setPeriodic(reread.toMillis(), id -> reloadQuietly());
    // LISTEN is the accelerator: without it the periodic read still applies every change
    Future<Void> listening =
        subscriber
            .connect()
            .recover(
                e -> {
                  LOG.warn(
                      "LISTEN {} unavailable, breaker overrides re-read every {} ms: {}",
                      BreakerOverrides.CHANNEL,
                      reread.toMillis(),
                      e.toString());
                  return Future.succeededFuture();
                });
    return Future.all(reloads.completion(), listening).compose(v -> reload());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.join(reloads.unregister(), subscriber.close());
  }

  private void reloadQuietly() {
    reload()
        .onFailure(
            e -> LOG.warn("breaker overrides not re-read, keeping the last: {}", e.toString()));
  }

  /** Reads and applies the stored overrides; completes with the set in force afterwards. */
  private Future<JsonObject> reload() {
    long read = ++readsStarted;
    return store
        .load()
        .map(
            overrides -> {
              if (read > newestApplied) {
                newestApplied = read;
                apply(overrides);
              }
              JsonObject applied = new OverridesApplied(panel.overrides()).toJson();
              vertx.eventBus().publish(BreakerAddresses.OVERRIDES_APPLIED, applied);
              return applied;
            });
  }

  private void apply(Map<BreakerId, BreakerOverride> overrides) {
    Map<BreakerId, BreakerOverride> before = panel.overrides();
    if (!before.equals(overrides)) {
      overrides.forEach(
          (id, override) -> {
            if (!override.equals(before.get(id))) {
              LOG.warn(
                  "breaker {} (tenant {}) {}", id.dependency(), id.tenant(), override.describe());
            }
          });
      before.keySet().stream()
          .filter(id -> !overrides.containsKey(id))
          .forEach(
              id ->
                  LOG.info(
                      "breaker {} (tenant {}) released to automatic",
                      id.dependency(),
                      id.tenant()));
    }
    panel.apply(overrides);
  }
}
