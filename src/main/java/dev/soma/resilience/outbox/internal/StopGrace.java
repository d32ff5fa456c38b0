package dev.soma.resilience.outbox.internal;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stopping relay's wait for its claims and batches in flight: {@link #settled} completes when
 * none is left, or when {@code grace} is over. After the grace the relay stops anyway: the rows of
 * what is still unsettled go back to pending, uncounted, when the closing producer gives up on
 * them, or else wait for their lease to end. Confined to the relay's event loop.
 */
final class StopGrace {

  private static final Logger LOG = LoggerFactory.getLogger(StopGrace.class);

  private final Promise<Void> settled = Promise.promise();
  private final IntSupplier unsettled;

  private StopGrace(IntSupplier unsettled) {
    this.unsettled = unsettled;
  }

  /** Starts waiting for {@code unsettled} to reach zero, for at most {@code grace}. */
  static StopGrace begin(Vertx vertx, String relayId, Duration grace, IntSupplier unsettled) {
    StopGrace wait = new StopGrace(unsettled);
    vertx.setTimer(
        grace.toMillis(),
        id -> {
          if (wait.settled.tryComplete()) {
            LOG.warn(
                "outbox relay {} stopped with {} batch(es) unsettled after {} s; their rows go"
                    + " back to pending when the producer gives up on them, or when their lease"
                    + " ends",
                relayId,
                unsettled.getAsInt(),
                grace.toSeconds());
          }
        });
    wait.check();
    return wait;
  }

  /** Something settled: completes {@link #settled} if nothing is left. */
  void check() {
    if (unsettled.getAsInt() == 0) {
      settled.tryComplete();
    }
  }

  Future<Void> settled() {
    return settled.future();
  }
}
