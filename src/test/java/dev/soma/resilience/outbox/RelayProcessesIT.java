package dev.soma.resilience.outbox;

import static dev.soma.resilience.testing.KafkaReader.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.testing.KafkaReader;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.RelayProcess;
import dev.soma.resilience.testing.RelayProcesses;
import dev.soma.resilience.testing.TestServices;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Relays in separate JVM processes, draining one hot aggregate (one tenant, one partition key, so
 * one relay at a time holds its rows): one is killed with SIGKILL, or frozen with SIGSTOP past its
 * lease, while it holds leased rows. Nothing is lost, first deliveries keep the id order, a dead
 * relay's rows are taken over long before its lease would end, and a frozen relay that wakes up
 * settles none of the rows taken from it.
 */
@ExtendWith(TestServices.class)
class RelayProcessesIT {

  // large enough that the drain is still going when a relay is frozen (one hot key drains at
  // ~10k/s)
  private static final int BACKLOG = 20_000;
  private static final String LEASE_LOST = "outbox_lease_lost_total";

  /** How soon after SIGKILL the dead relay's rows must be published: far below the lease. */
  private static final Duration TAKEOVER = Duration.ofSeconds(15);

  @RegisterExtension final RelayProcesses relays = new RelayProcesses();
  private final String kafka = TestServices.kafkaBootstrap();
  private OutboxFixture fx;

  @BeforeEach
  void setUp() throws Exception {
    fx = new OutboxFixture();
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
  }

  @Test
  void aRelayKilledMidDrainHasItsRowsTakenOverLongBeforeItsLeaseEnds() throws Exception {
    String topic = TestServices.topic("sigkill");
    backlog(topic);
    // the lease as configured by default (60 s): not set here
    Map<String, String> settings =
        Map.of(
            "SA01_KAFKA_DELIVERY_TIMEOUT_MS", "10000",
            "SA01_KAFKA_REQUEST_TIMEOUT_MS", "3000",
            "SA01_OUTBOX_POLL_INTERVAL_MS", "200");
    List<RelayProcess> both = startTwo(settings);
    await().atMost(Duration.ofSeconds(60)).until(() -> fx.countStatus("published") >= BACKLOG / 4);

    RelayProcess doomed = pauseOneHoldingLeases(both);
    List<Long> held = leasedBy(doomed);
    long killedAt = System.nanoTime();
    doomed.kill();

    long takeoverMillis = awaitPublished(held, killedAt, doomed);
    System.out.printf(
        "RelayProcessesIT: %d rows leased by the relay killed with SIGKILL were published %d ms"
            + " after the kill%n",
        held.size(), takeoverMillis);
    await().atMost(Duration.ofSeconds(60)).until(() -> fx.countStatus("published") == BACKLOG);
    assertFirstDeliveriesComplete(topic);
  }

  @Test
  void aRelayFrozenPastItsLeaseSettlesNoneOfTheRowsTakenFromIt() throws Exception {
    String topic = TestServices.topic("sigstop");
    backlog(topic);
    Map<String, String> settings =
        Map.of(
            "SA01_OUTBOX_LEASE_SECONDS", "8",
            "SA01_KAFKA_DELIVERY_TIMEOUT_MS", "2500",
            "SA01_KAFKA_REQUEST_TIMEOUT_MS", "1500",
            "SA01_OUTBOX_POLL_INTERVAL_MS", "200");
    List<RelayProcess> both = startTwo(settings);
    await().atMost(Duration.ofSeconds(60)).until(() -> fx.countStatus("published") >= BACKLOG / 4);

    RelayProcess frozen = pauseOneHoldingLeases(both);
    RelayProcess other = both.get(0) == frozen ? both.get(1) : both.get(0);
    List<Long> held = leasedBy(frozen);
    // the other relay publishes them once the lease has run out, while this one is still frozen
    awaitPublishedWhileFrozen(held);
    frozen.resume();

    await().atMost(Duration.ofSeconds(60)).until(() -> fx.countStatus("published") == BACKLOG);
    // it settles its stale batches on waking: each of those rows is counted, none is marked
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(frozen.metric(LEASE_LOST))
                    .as("rows of the %d taken from it that the woken relay left alone", held.size())
                    .isGreaterThanOrEqualTo(held.size()));
    assertThat(other.metric(LEASE_LOST)).as("rows the relay that never froze lost").isZero();
    assertFirstDeliveriesComplete(topic);
  }

  /** The hot aggregate, written by plain SQL as any service may: ids follow the dedupe keys. */
  private void backlog(String topic) throws Exception {
    fx.query(
        "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, partition_key, payload)"
            + " SELECT 'hot-tenant', 'evt-' || lpad(n::text, 6, '0'), $1, 'hot-key',"
            + " jsonb_build_object('n', n) FROM generate_series(1, $2) AS n",
        topic,
        BACKLOG);
  }

  private List<RelayProcess> startTwo(Map<String, String> settings) {
    List<RelayProcess> both =
        List.of(
            relays.start("a", fx.databaseUrl, settings),
            relays.start("b", fx.databaseUrl, settings));
    both.forEach(relay -> relay.awaitStarted(Duration.ofSeconds(60)));
    return both;
  }

  /**
   * Freezes whichever relay holds the hot aggregate's lease at the moment and returns it, still
   * frozen: both are frozen (SIGSTOP), and the one that does not hold it runs on. A batch settles
   * in milliseconds, so neither may hold it in that moment: then both run on and it is tried again.
   */
  private RelayProcess pauseOneHoldingLeases(List<RelayProcess> both) {
    RelayProcess[] holder = new RelayProcess[1];
    await("a relay frozen while it holds leased rows")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              both.forEach(RelayProcess::pause);
              // claims they sent before the signal still commit in PostgreSQL: let them land
              Thread.sleep(300);
              for (RelayProcess relay : both) {
                if (holder[0] == null && !leasedBy(relay).isEmpty()) {
                  holder[0] = relay;
                } else {
                  relay.resume();
                }
              }
              return holder[0] != null;
            });
    return holder[0];
  }

  private List<Long> leasedBy(RelayProcess relay) throws Exception {
    List<Long> ids = new ArrayList<>();
    for (Row row :
        fx.query(
            "SELECT id FROM outbox_messages WHERE status = 'pending' AND lease_owner LIKE $1"
                + " ORDER BY id",
            relay.leaseOwnerPrefix() + "%")) {
      ids.add(row.getLong(0));
    }
    return ids;
  }

  private boolean published(List<Long> ids) throws Exception {
    return fx.count(
            "SELECT count(*) FROM outbox_messages WHERE id = ANY($1) AND status = 'published'",
            (Object) ids.toArray(Long[]::new))
        == ids.size();
  }

  /** Waits for {@code held} to be published; on timeout, says what the database sessions do. */
  private void awaitPublishedWhileFrozen(List<Long> held) throws Exception {
    try {
      await().atMost(Duration.ofSeconds(40)).until(() -> published(held));
    } catch (ConditionTimeoutException e) {
      StringBuilder sessions = new StringBuilder();
      for (Row row :
          fx.query(
              "SELECT application_name, state, wait_event_type, wait_event,"
                  + " (now() - xact_start)::text, left(query, 100) FROM pg_stat_activity"
                  + " WHERE datname = current_database()")) {
        sessions.append("\n  ").append(row.deepToString());
      }
      throw new AssertionError(
          held.size() + " rows of the frozen relay were not taken over; sessions:" + sessions, e);
    }
  }

  /** Milliseconds from {@code killedAt} until every row of {@code held} was published. */
  private long awaitPublished(List<Long> held, long killedAt, RelayProcess dead) throws Exception {
    try {
      await().atMost(TAKEOVER).pollInterval(Duration.ofMillis(100)).until(() -> published(held));
      return (System.nanoTime() - killedAt) / 1_000_000;
    } catch (ConditionTimeoutException e) {
      Row lease =
          fx.query(
                  "SELECT count(*), extract(epoch FROM max(lease_expires_at) - now())"
                      + " FROM outbox_messages WHERE status = 'pending' AND lease_owner LIKE $1",
                  dead.leaseOwnerPrefix() + "%")
              .get(0);
      throw new AssertionError(
          String.format(
              "%d row(s) leased by the relay killed with SIGKILL were not taken over within %d s:"
                  + " %d still wait for their lease, which ends in %.1f s",
              held.size(),
              TAKEOVER.toSeconds(),
              lease.getLong(0),
              lease.getValue(1) == null ? 0.0 : lease.getNumeric(1).doubleValue()),
          e);
    }
  }

  /** Every event reached Kafka, and the first copy of each came in id order. */
  private void assertFirstDeliveriesComplete(String topic) {
    List<ConsumerRecord<String, String>> records =
        KafkaReader.readEvents(kafka, topic, BACKLOG, Duration.ofSeconds(60));
    Map<String, Long> firstDeliveries = new LinkedHashMap<>();
    Map<String, Integer> copies = new HashMap<>();
    for (ConsumerRecord<String, String> record : records) {
      String dedupeKey = header(record, "dedupe-key");
      firstDeliveries.putIfAbsent(dedupeKey, Long.parseLong(header(record, "event-id")));
      copies.merge(dedupeKey, 1, Integer::sum);
    }
    assertThat(firstDeliveries).as("events that reached Kafka").hasSize(BACKLOG);
    assertThat(new ArrayList<>(firstDeliveries.values())).as("first deliveries").isSorted();
    assertThat(new ArrayList<>(firstDeliveries.keySet())).isSorted();
    System.out.printf(
        "RelayProcessesIT: %d records for %d events (%d duplicates)%n",
        records.size(), BACKLOG, records.size() - BACKLOG);
  }
}
