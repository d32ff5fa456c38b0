package dev.soma.resilience.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.db.Transaction;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The outbox joins the caller's transaction and wakes this process's relays only once that
 * transaction has committed: once per transaction, with the rows already visible.
 */
@ExtendWith(TestServices.class)
class OutboxTransactionIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static final String COUNT = "SELECT count(*) FROM outbox_messages";
  private static final JsonObject FENCE = new JsonObject().put("fence", true);

  private OutboxFixture fx;

  /** Per wake-up, in order: the rows a query saw right then; the test's fence as "fence". */
  private final List<Object> heard = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    fx = new OutboxFixture();
    MessageConsumer<JsonObject> relays =
        fx.vertx
            .eventBus()
            .consumer(
                OutboxAddresses.COMMITTED,
                message ->
                    heard.add(
                        FENCE.equals(message.body())
                            ? "fence"
                            : fx.pool
                                .query(COUNT)
                                .execute()
                                .map(rows -> rows.iterator().next().getLong(0))));
    Blocking.await(relays.completion(), TIMEOUT);
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
  }

  @Test
  void aCommittedTransactionWakesTheRelaysOnceWithItsRowsVisible() throws Exception {
    Blocking.await(
        Transaction.run(
            fx.pool,
            tx ->
                fx.outbox
                    .enqueue(tx, entry("k1"))
                    .compose(v -> fx.outbox.enqueueAll(tx, List.of(entry("k2"), entry("k3"))))),
        TIMEOUT);

    List<Object> wakes = wakesBeforeAFence();
    assertThat(wakes).hasSize(1);
    assertThat(Blocking.await((Future<?>) wakes.get(0), TIMEOUT)).isEqualTo(3L);
  }

  @Test
  void aRolledBackTransactionWakesNoRelay() throws Exception {
    Future<Object> rolledBack =
        Transaction.run(
            fx.pool,
            tx ->
                fx.outbox
                    .enqueue(tx, entry("k1"))
                    .compose(v -> Future.failedFuture(new IllegalStateException("business rule"))));
    assertThatThrownBy(() -> Blocking.await(rolledBack, TIMEOUT)).hasMessage("business rule");

    assertThat(wakesBeforeAFence()).isEmpty();
  }

  /**
   * Publishes a fence after everything the test did and returns what the relays heard before it: a
   * wake-up published earlier is delivered earlier.
   */
  private List<Object> wakesBeforeAFence() {
    fx.vertx.eventBus().publish(OutboxAddresses.COMMITTED, FENCE);
    await().atMost(TIMEOUT).until(() -> heard.contains("fence"));
    return heard.subList(0, heard.indexOf("fence"));
  }

  private static OutboxEntry entry(String dedupeKey) {
    return OutboxEntry.of("tenant-a", dedupeKey, "wake.test", null, new JsonObject());
  }
}
