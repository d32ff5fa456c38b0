package dev.soma.resilience.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.outbox.OutboxEntry;
import dev.soma.resilience.outbox.internal.OutboxRepository.Burial;
import dev.soma.resilience.outbox.internal.OutboxRepository.Retry;
import dev.soma.resilience.outbox.internal.OutboxRepository.Settled;
import dev.soma.resilience.outbox.internal.OutboxRepository.Settlement;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Leases fence settlements: a relay that stalled past its lease, while another relay took the row
 * over, cannot publish, reschedule or bury the row it no longer owns (its late Kafka ack must not
 * end the new owner's attempt, or count as the row's only delivery).
 */
@ExtendWith(TestServices.class)
class LeaseFencingIT {

  private static final Duration LEASE = Duration.ofSeconds(30);
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
  void aRelayWhoseLeaseWasTakenOverCannotMarkTheRowPublished() throws Exception {
    long id = takenOverFromStalledRelay();

    Settled late = settle("relay-stalled", new Settlement(List.of(id), List.of(), List.of()));

    assertThat(late.leaseLost()).isEqualTo(1);
    assertThat(row(id).getString("status")).isEqualTo("pending");
    assertThat(row(id).getString("lease_owner")).isEqualTo("relay-new");
    Settled owned = settle("relay-new", new Settlement(List.of(id), List.of(), List.of()));
    assertThat(owned.leaseLost()).isZero();
    assertThat(row(id).getString("status")).isEqualTo("published");
  }

  @Test
  void aRelayWhoseLeaseWasTakenOverCannotRescheduleTheRow() throws Exception {
    long id = takenOverFromStalledRelay();

    Settled late =
        settle(
            "relay-stalled",
            new Settlement(
                List.of(), List.of(new Retry(id, true, Duration.ofHours(1), "late")), List.of()));

    assertThat(late.leaseLost()).isEqualTo(1);
    Row row = row(id);
    assertThat(row.getString("lease_owner")).isEqualTo("relay-new");
    assertThat(row.getInteger("attempts")).isZero();
    assertThat(row.getString("last_error")).isNull();
  }

  @Test
  void aRelayWhoseLeaseWasTakenOverCannotBuryTheRow() throws Exception {
    long id = takenOverFromStalledRelay();

    Settled late =
        settle(
            "relay-stalled",
            new Settlement(List.of(), List.of(), List.of(new Burial(id, "late", "Late"))));

    assertThat(late.deadLetterTopics()).isEmpty();
    assertThat(late.leaseLost()).isEqualTo(1);
    assertThat(row(id).getString("status")).isEqualTo("pending");
    assertThat(fx.count("SELECT count(*) FROM dead_letter_messages")).isZero();
  }

  /** One row, claimed by "relay-stalled", whose lease ran out, then claimed by "relay-new". */
  private long takenOverFromStalledRelay() throws Exception {
    fx.enqueue(
        List.of(
            OutboxEntry.of(
                "tenant", "event-1", "fencing", "aggregate", new JsonObject().put("n", 1))));
    long id = claim("relay-stalled");
    // the stalled relay's lease runs out (its clock is the database's: move the expiry instead)
    fx.query("UPDATE outbox_messages SET lease_expires_at = now() - interval '1 second'");
    assertThat(claim("relay-new")).isEqualTo(id);
    return id;
  }

  private long claim(String owner) throws Exception {
    List<ClaimedEvent> events =
        Blocking.await(repository.claim(Claim.ofAll(owner, 10, LEASE)), Duration.ofSeconds(10))
            .events();
    assertThat(events).as("claimed by %s", owner).hasSize(1);
    return events.get(0).id();
  }

  private Settled settle(String owner, Settlement settlement) throws Exception {
    return Blocking.await(repository.settle(owner, settlement), Duration.ofSeconds(10));
  }

  private Row row(long id) throws Exception {
    return fx.query(
            "SELECT status, lease_owner, attempts, last_error FROM outbox_messages WHERE id = $1",
            id)
        .get(0);
  }
}
