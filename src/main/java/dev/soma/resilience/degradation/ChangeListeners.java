package dev.soma.resilience.degradation;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The listeners of a {@link DegradationStatusView}: each is called on the context that registered
 * it (a WebSocket's or a response's event loop: what it writes to belongs there), or on the view's
 * when registered outside any. Listeners may come and go on any thread while changes are passed on.
 */
final class ChangeListeners {

  private final CopyOnWriteArrayList<Consumer<StatusChange>> registered =
      new CopyOnWriteArrayList<>();

  /** Adds {@code listener}, to be called on the current context; the subscription removes it. */
  DegradationStatusView.Subscription add(Consumer<StatusChange> listener) {
    Context owner = Vertx.currentContext();
    // a wrapper of its own, so that adding one listener twice gives two separate subscriptions
    Consumer<StatusChange> wrapped =
        owner == null
            ? listener::accept
            : change -> owner.runOnContext(v -> listener.accept(change));
    registered.add(wrapped);
    return () -> registered.remove(wrapped);
  }

  int size() {
    return registered.size();
  }

  boolean isEmpty() {
    return registered.isEmpty();
  }

  /** Passes {@code change} to every listener, each on its own context. */
  void pass(StatusChange change) {
    registered.forEach(listener -> listener.accept(change));
  }
}
