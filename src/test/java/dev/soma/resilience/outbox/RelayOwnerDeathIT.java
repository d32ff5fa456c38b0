package dev.soma.resilience.outbox;

import static dev.soma.resilience.testing.KafkaReader.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.db.LeaseKeeper;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.outbox.internal.Claim;
import dev.soma.resilience.outbox.internal.ClaimedEvent;
import dev.soma.resilience.outbox.internal.OutboxRepository;
import dev.soma.resilience.outbox.internal.OutboxRepository.Settlement;
import dev.soma.resilience.testing.KafkaReader;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A relay's leases end with its process (its lease keeper's PostgreSQL session), whatever {@code
 * leaseSeconds} is; a relay that is alive but stalled keeps them until they expire, and once they
 * were taken over its late settlement changes nothing.
 */
@ExtendWith(TestServices.class)
class RelayOwnerDeathIT {

  private static final Duration LONG_LEASE = Duration.ofSeconds(300);
  private final String kafka = TestServices.kafkaBootstrap();
  private OutboxFixture fx;
  private OutboxRepository repository;

  @BeforeEach
  void setUp() throws Exception {
    fx = new OutboxFixture();
    repository = new OutboxRepository(fx.pool);
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
  }

  @Test
  void aDeadRelaysRowsArePublishedByAnotherRelayLongBeforeTheirLeaseEnds() throws Exception {
    String topic = TestServices.topic("owner-death");
    fx.enqueue(entries(topic, 100));
    ServiceConfig config =
        OutboxFixture.config(Map.of("SA01_OUTBOX_LEASE_SECONDS", "" + LONG_LEASE.toSeconds()));
    // the doomed relay's process: its own Vert.x and lease keeper; it leases every row
    Vertx doomed = Vertx.vertx();
    LeaseKeeper doomedKeeper = fx.newKeeper(doomed);
    assertThat(claim("doomed", doomedKeeper)).hasSize(100);
    // alive, it keeps them from everybody else
    assertThat(claim("other", fx.keeper())).isEmpty();

    Blocking.await(doomed.close(), Duration.ofSeconds(30));
    fx.deployRelay(config, kafka, "survivor");

    await().atMost(Duration.ofSeconds(30)).until(() -> fx.countStatus("published") == 100);
    assertThat(
            KafkaReader.read(kafka, topic, 100, Duration.ofSeconds(30)).stream()
                .map(r -> header(r, "event-id"))
                .distinct())
        .hasSize(100);
  }

  @Test
  void aStalledRelayKeepsItsLeaseUntilItExpiresAndCannotSettleOnceTakenOver() throws Exception {
    fx.enqueue(entries(TestServices.topic("stalled"), 1));
    LeaseKeeper stalled = fx.newKeeper(fx.vertx);
    long id = claim("stalled", stalled).get(0).id();
    assertThat(claim("other", fx.keeper())).isEmpty();

    // its lease runs out while its process lives on (the expiry is the database's: move it)
    fx.query("UPDATE outbox_messages SET lease_expires_at = now() - interval '1 second'");
    assertThat(claim("other", fx.keeper())).extracting(ClaimedEvent::id).containsExactly(id);
    Blocking.await(
        repository.settle("stalled", new Settlement(List.of(id), List.of(), List.of())),
        Duration.ofSeconds(10));

    assertThat(fx.countStatus("published")).isZero();
    assertThat(fx.count("SELECT count(*) FROM outbox_messages WHERE lease_owner = 'other'"))
        .isEqualTo(1);
  }

  private List<ClaimedEvent> claim(String owner, LeaseKeeper keeper) throws Exception {
    return Blocking.await(
            repository.claim(Claim.ofAll(owner, keeper.holder(), 100, LONG_LEASE, "")),
            Duration.ofSeconds(10))
        .events();
  }

  private static List<OutboxEntry> entries(String topic, int n) {
    return IntStream.range(0, n)
        .mapToObj(
            i ->
                OutboxEntry.of(
                    "tenant-" + (i % 3),
                    "evt-" + i,
                    topic,
                    "agg-" + (i % 7),
                    new JsonObject().put("i", i)))
        .toList();
  }
}
