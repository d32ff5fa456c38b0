package dev.soma.resilience.outbox.internal;

import static java.util.stream.Collectors.toSet;
import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.testing.OutboxFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * With more tenants holding a backlog than a claim has rows, successive claims take the tenants in
 * turn: each claim continues where the previous one stopped, in the order the database sorts tenant
 * ids. Under a linguistic collation that order is not Java's {@code String} order (upper case sorts
 * with its letter, not before all lower case), which is why the claim, not the relay, says where
 * the rotation continues.
 */
class TenantRotationIT {

  /** Sorted alike by every collation tested: case-insensitively, as a linguistic one sorts. */
  private static final List<String> TENANTS =
      List.of(
          "alpha", "Bravo", "charlie", "Delta", "echo", "Foxtrot", "golf", "Hotel", "india",
          "Juliett");

  private static final int BATCH = 4;

  @ParameterizedTest(name = "collation {0}")
  @ValueSource(strings = {"en-US-x-icu", "C"})
  void successiveClaimsServeEveryTenantOnceBeforeAnyTwice(String collation) throws Exception {
    try (OutboxFixture fx = new OutboxFixture()) {
      fx.query(
          "ALTER TABLE outbox_messages ALTER COLUMN tenant_id TYPE text COLLATE \""
              + collation
              + "\"");
      List<String> order = new ArrayList<>(TENANTS);
      if (collation.equals("C")) {
        order.sort(String::compareTo); // byte order: upper case first
      }
      insertTwentyEach(fx);
      OutboxRepository repository = new OutboxRepository(fx.pool);

      String cursor = "";
      List<Set<String>> served = new ArrayList<>();
      int rounds = (TENANTS.size() + BATCH - 1) / BATCH;
      for (int i = 0; i < rounds; i++) {
        OutboxRepository.Claimed claimed = claim(repository, cursor);
        served.add(claimed.events().stream().map(ClaimedEvent::tenantId).collect(toSet()));
        cursor = claimed.nextTenantCursor();
      }

      // 10 tenants, 4 rows a claim: the first two claims take one row of each of the next four
      // tenants, the third the last two tenants' two oldest rows each, and the rotation restarts
      assertThat(served)
          .as("tenants served by each claim, in the database's order %s", order)
          .containsExactly(
              Set.copyOf(order.subList(0, 4)),
              Set.copyOf(order.subList(4, 8)),
              Set.copyOf(order.subList(8, 10)));
      assertThat(cursor).as("after the last tenant the rotation starts over").isEmpty();
    }
  }

  @Test
  void tenantsWithNothingToSendDoNotHoldTheRotationBack() throws Exception {
    try (OutboxFixture fx = new OutboxFixture()) {
      fx.query("ALTER TABLE outbox_messages ALTER COLUMN tenant_id TYPE text COLLATE \"C\"");
      List<String> order = new ArrayList<>(TENANTS);
      order.sort(String::compareTo);
      insertTwentyEach(fx);
      // the first four tenants' rows all wait for a retry
      fx.query(
          "UPDATE outbox_messages SET next_attempt_at = now() + interval '1 hour'"
              + " WHERE tenant_id = ANY($1)",
          (Object) order.subList(0, BATCH).toArray(String[]::new));
      OutboxRepository repository = new OutboxRepository(fx.pool);

      OutboxRepository.Claimed first = claim(repository, "");
      OutboxRepository.Claimed second = claim(repository, first.nextTenantCursor());

      assertThat(first.events()).isEmpty();
      assertThat(first.nextTenantCursor()).isEqualTo(order.get(BATCH - 1));
      assertThat(second.events().stream().map(ClaimedEvent::tenantId).collect(toSet()))
          .isEqualTo(Set.copyOf(order.subList(BATCH, 2 * BATCH)));
    }
  }

  private static void insertTwentyEach(OutboxFixture fx) throws Exception {
    for (String tenant : TENANTS) {
      fx.query(
          "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, payload)"
              + " SELECT $1, 'd' || n, 'rotation', '{}' FROM generate_series(1, 20) AS n",
          tenant);
    }
  }

  private static OutboxRepository.Claimed claim(OutboxRepository repository, String cursor)
      throws Exception {
    return Blocking.await(
        repository.claim(
            new Claim(
                "r",
                BATCH,
                Duration.ofSeconds(60),
                OutboxRepository.ALL_BUCKETS,
                cursor,
                Map.of(),
                1_000_000)),
        Duration.ofSeconds(30));
  }
}
