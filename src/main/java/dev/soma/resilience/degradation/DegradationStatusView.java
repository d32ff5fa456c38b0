package dev.soma.resilience.degradation;

import dev.soma.resilience.degradation.internal.BroadcastBody;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local, always-answering copy of the monitor's status for any verticle: read {@link #current()}
 * (never blocks, never waits for a dependency to time out) and {@link #report} each real call's
 * outcome.
 *
 * <p>{@link #start} subscribes to {@link DegradationAddresses#STATUS_CHANGED} first, then asks for
 * a snapshot, so no change falls between the two; a change whose sequence shows that one was missed
 * triggers a new snapshot request, as does the first change of a new active monitor (a higher
 * epoch: another node took over, or the monitor restarted). Changes of an earlier epoch than the
 * one held are dropped, so two monitors briefly active at once never make the view go back and
 * forth. Until the monitor first answers, {@link #current()} is {@link StatusSnapshot#empty()}
 * (every service unknown, which counts as usable). Create it in the verticle's {@code start()} and
 * {@link #close()} it in {@code stop()}.
 */
public final class DegradationStatusView {

  private static final Logger LOG = LoggerFactory.getLogger(DegradationStatusView.class);

  /**
   * How often a view asks for a snapshot even without a sign that it missed a change (the default
   * of {@code degradation.viewResyncMs}): a broadcast lost while its node rejoined the cluster,
   * before its subscriptions were back, shows no gap.
   */
  public static final Duration RESYNC = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final Duration requestTimeout;
  private long resyncTimer = -1;
  private final ChangeListeners listeners = new ChangeListeners();
  private volatile StatusSnapshot current = StatusSnapshot.empty();
  private MessageConsumer<JsonObject> changes;
  private boolean refreshing;

  private DegradationStatusView(Vertx vertx, Duration requestTimeout) {
    this.vertx = vertx;
    this.requestTimeout = requestTimeout;
  }

  /**
   * Subscribes and fetches the first snapshot. Completes once subscribed, even when the monitor
   * does not answer in time (the view then fills from the next change or refresh).
   */
  public static Future<DegradationStatusView> start(Vertx vertx, Duration requestTimeout) {
    return start(vertx, requestTimeout, RESYNC);
  }

  static Future<DegradationStatusView> start(
      Vertx vertx, Duration requestTimeout, Duration resync) {
    DegradationStatusView view = subscribed(vertx, requestTimeout, resync);
    return view.changes
        .completion()
        .compose(v -> view.refresh().otherwise((StatusSnapshot) null))
        .map(view);
  }

  /**
   * As {@link #start}, but returns the view at once (it subscribes and fetches in the background):
   * for code that needs the view while it is being set up, such as route modules.
   */
  public static DegradationStatusView open(Vertx vertx, Duration requestTimeout, Duration resync) {
    DegradationStatusView view = subscribed(vertx, requestTimeout, resync);
    view.changes.completion().onSuccess(v -> view.refresh());
    return view;
  }

  /** A view resynchronised every {@code resync} that applies each change published. */
  private static DegradationStatusView subscribed(
      Vertx vertx, Duration requestTimeout, Duration resync) {
    DegradationStatusView view = new DegradationStatusView(vertx, requestTimeout);
    view.resyncEvery(resync);
    view.changes =
        vertx
            .eventBus()
            .consumer(
                DegradationAddresses.STATUS_CHANGED,
                message ->
                    BroadcastBody.read(
                            message.body(),
                            StatusChange::fromJson,
                            "a malformed status change",
                            LOG)
                        .ifPresent(view::apply));
    return view;
  }

  /** The latest status known here. */
  public StatusSnapshot current() {
    return current;
  }

  /** Whether {@code service} is worth calling now (unknown services are). */
  public boolean isUsable(String service) {
    return current.stateOf(service).isUsable();
  }

  /**
   * Calls {@code listener} for every change applied, until the returned subscription is cancelled,
   * on the context that registered it (a WebSocket's or a response's event loop: what it writes to
   * belongs there), or on this view's when registered outside any. A listener that lives shorter
   * than the view (one per WebSocket or stream) must be cancelled when its owner goes, or the view
   * keeps it, and what it holds, for good.
   */
  public Subscription onChange(Consumer<StatusChange> listener) {
    return listeners.add(listener);
  }

  /** How many {@link #onChange} listeners are registered now. */
  public int listenerCount() {
    return listeners.size();
  }

  /** A registered {@link #onChange} listener; {@link #cancel()} removes it (idempotent). */
  @FunctionalInterface
  public interface Subscription {
    void cancel();
  }

  /** Tells the monitor how a real call went (fire and forget). */
  public void report(CallReport outcome) {
    outcome.publish(vertx.eventBus());
  }

  private void resyncEvery(Duration period) {
    resyncTimer =
        vertx.setPeriodic(
            period.toMillis(),
            id -> {
              if (!refreshing) {
                refresh();
              }
            });
  }

  /**
   * Asks the monitor for its snapshot now and keeps it if it is not older than what the view has; a
   * service whose health differs from what the view had is passed to the listeners as a change (one
   * the view missed). Fails after the request timeout.
   */
  public Future<StatusSnapshot> refresh() {
    refreshing = true;
    return vertx
        .eventBus()
        .<JsonObject>request(
            DegradationAddresses.STATUS_SNAPSHOT,
            new JsonObject(),
            new DeliveryOptions().setSendTimeout(requestTimeout.toMillis()))
        .map(reply -> StatusSnapshot.fromJson(reply.body()))
        .onSuccess(
            snapshot -> {
              StatusSnapshot before = current;
              if (snapshot.isNotOlderThan(before)) {
                current = snapshot;
                passOnMissed(before, snapshot);
              }
            })
        .onFailure(e -> LOG.debug("degradation snapshot not available: {}", e.toString()))
        .onComplete(ar -> refreshing = false);
  }

  /** Changes between two snapshots the view held, for its listeners (none for its first). */
  private void passOnMissed(StatusSnapshot before, StatusSnapshot after) {
    if (before.epoch() == 0 || listeners.isEmpty()) {
      return;
    }
    after
        .services()
        .forEach(
            (name, status) -> {
              Optional<DependencyStatus> had = before.status(name);
              if (had.isEmpty() || !had.get().sameHealthAs(status)) {
                StatusChange missed =
                    new StatusChange(after.epoch(), after.sequence(), had, status, after.overall());
                listeners.pass(missed);
              }
            });
  }

  public Future<Void> close() {
    vertx.cancelTimer(resyncTimer);
    return changes == null ? Future.succeededFuture() : changes.unregister();
  }

  private void apply(StatusChange change) {
    StatusSnapshot before = current;
    boolean laterMonitor = change.epoch() > before.epoch();
    if (change.epoch() < before.epoch()
        || !laterMonitor && change.sequence() <= before.sequence()) {
      return; // from a monitor no longer active, or seen already
    }
    current = before.with(change);
    boolean gap =
        laterMonitor
            ? change.sequence() != 1
            : before.sequence() != 0 && change.sequence() != before.sequence() + 1;
    if ((gap || laterMonitor && before.epoch() != 0) && !refreshing) {
      refresh();
    }
    listeners.pass(change);
  }
}
