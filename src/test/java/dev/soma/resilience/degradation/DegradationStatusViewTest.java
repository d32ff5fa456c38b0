package dev.soma.resilience.degradation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.degradation.DependencyStatus.Kind;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The view against monitors that take over from each other (on an in-process event bus): a later
 * epoch wins, an earlier one is dropped, whatever the sequences say.
 */
class DegradationStatusViewTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private final Vertx vertx = Vertx.vertx();
  private final AtomicReference<StatusSnapshot> monitorSnapshot =
      new AtomicReference<>(StatusSnapshot.empty());
  private DegradationStatusView view;

  @BeforeEach
  void setUp() throws Exception {
    Blocking.await(
        vertx
            .eventBus()
            .consumer(
                DegradationAddresses.STATUS_SNAPSHOT,
                message -> message.reply(monitorSnapshot.get().toJson()))
            .completion(),
        TIMEOUT);
    view =
        Blocking.await(
            DegradationStatusView.start(vertx, Duration.ofSeconds(1), Duration.ofMillis(300)),
            TIMEOUT);
  }

  @AfterEach
  void tearDown() throws Exception {
    Blocking.await(vertx.close(), TIMEOUT);
  }

  @Test
  void aChangeOfAnEarlierMonitorIsDroppedEvenWithAHigherSequence() {
    publish(200, 1, "somabrain", HealthState.HEALTHY);
    await().atMost(TIMEOUT).until(() -> view.current().epoch() == 200);

    publish(100, 9, "somabrain", HealthState.UNAVAILABLE);
    publish(200, 2, "redis", HealthState.HEALTHY);

    await().atMost(TIMEOUT).until(() -> view.current().sequence() == 2);
    assertThat(view.current().stateOf("somabrain")).isEqualTo(HealthState.HEALTHY);
  }

  @Test
  void aLaterMonitorsFirstChangeIsTakenAndItsSnapshotFetched() {
    publish(100, 7, "somabrain", HealthState.HEALTHY);
    await().atMost(TIMEOUT).until(() -> view.current().sequence() == 7);
    monitorSnapshot.set(
        new StatusSnapshot(
            300,
            1,
            T0,
            DegradationLevel.NONE,
            Map.of(
                "somabrain", status("somabrain", HealthState.UNAVAILABLE),
                "redis", status("redis", HealthState.HEALTHY))));

    publish(300, 1, "somabrain", HealthState.UNAVAILABLE);

    // the change is applied at once (a lower sequence, but a later monitor), then the snapshot
    await().atMost(TIMEOUT).until(() -> view.current().stateOf("redis") == HealthState.HEALTHY);
    assertThat(view.current().epoch()).isEqualTo(300);
    assertThat(view.current().stateOf("somabrain")).isEqualTo(HealthState.UNAVAILABLE);
  }

  @Test
  void aChangeWhoseBroadcastWasLostReachesTheListenersWhenTheViewResyncs() {
    publish(100, 1, "somabrain", HealthState.HEALTHY);
    await().atMost(TIMEOUT).until(() -> view.current().sequence() == 1);
    List<StatusChange> heard = new CopyOnWriteArrayList<>();
    view.onChange(heard::add);

    // the monitor moved on, and its broadcast never arrived (as while a node rejoins a cluster)
    monitorSnapshot.set(
        new StatusSnapshot(
            100,
            2,
            T0,
            DegradationLevel.SEVERE,
            Map.of("somabrain", status("somabrain", HealthState.UNAVAILABLE))));

    await().atMost(TIMEOUT).until(() -> !heard.isEmpty());
    assertThat(heard).hasSize(1);
    assertThat(heard.get(0).service()).isEqualTo("somabrain");
    assertThat(heard.get(0).current().state()).isEqualTo(HealthState.UNAVAILABLE);
    assertThat(heard.get(0).previous().orElseThrow().state()).isEqualTo(HealthState.HEALTHY);
    assertThat(view.current().sequence()).isEqualTo(2);
  }

  @Test
  void aListenerIsCalledOnTheContextThatRegisteredIt() throws Exception {
    // as a WebSocket registers on its own event loop: what it writes to belongs to that loop
    Context socketLoop = vertx.getOrCreateContext();
    AtomicReference<Context> calledOn = new AtomicReference<>();
    socketLoop.runOnContext(v -> view.onChange(change -> calledOn.set(Vertx.currentContext())));
    await().atMost(TIMEOUT).until(() -> view.listenerCount() == 1);

    publish(100, 1, "somabrain", HealthState.UNAVAILABLE);

    await().atMost(TIMEOUT).until(() -> calledOn.get() != null);
    assertThat(calledOn.get()).isSameAs(socketLoop);
  }

  private void publish(long epoch, long sequence, String service, HealthState state) {
    vertx
        .eventBus()
        .publish(
            DegradationAddresses.STATUS_CHANGED,
            new StatusChange(
                    epoch,
                    sequence,
                    Optional.empty(),
                    status(service, state),
                    DegradationLevel.NONE)
                .toJson());
  }

  private static DependencyStatus status(String service, HealthState state) {
    return new DependencyStatus(
        service,
        Kind.DEPENDENCY,
        state,
        DegradationLevel.NONE,
        "why",
        T0,
        false,
        0,
        0,
        0,
        List.of());
  }
}
