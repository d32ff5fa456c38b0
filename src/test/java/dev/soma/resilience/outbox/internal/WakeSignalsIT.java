package dev.soma.resilience.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A relay's wake signals call it on its own context, whatever delivered them: a relay woken on the
 * {@code LISTEN} connection's context claimed and handed batches to its send path from a second
 * context, and Vert.x orders the blocking tasks of two contexts apart, so one aggregate's batches
 * reached the producer out of order while the send thread was busy.
 */
@ExtendWith(TestServices.class)
class WakeSignalsIT {

  @Test
  void aNotifyWakesTheRelayOnTheContextItStartedOn() throws Exception {
    try (OutboxFixture fx = new OutboxFixture()) {
      WakeSignals signals =
          new WakeSignals("relay", Duration.ofHours(1), Optional.of(fx.database.connectOptions()));
      List<Context> woken = new CopyOnWriteArrayList<>();
      Context[] relay = new Context[1];
      Blocking.await(
          fx.vertx.deployVerticle(
              new VerticleBase() {
                @Override
                public Future<?> start() {
                  relay[0] = context;
                  return signals.start(vertx, () -> woken.add(Vertx.currentContext()));
                }
              }),
          Duration.ofSeconds(30));

      fx.query("NOTIFY outbox_messages");

      await().atMost(Duration.ofSeconds(10)).until(() -> !woken.isEmpty());
      assertThat(woken)
          .allSatisfy(
              c -> assertThat(base(c)).as("the context a wake ran on").isSameAs(base(relay[0])));
    }
  }

  private static Context base(Context context) {
    return ((ContextInternal) context).unwrap();
  }
}
