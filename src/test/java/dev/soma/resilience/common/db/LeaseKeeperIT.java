package dev.soma.resilience.common.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The lease keeper against a real PostgreSQL: a lease of its holder is live while the keeper's
 * session lives and over as soon as it ends; a dropped session is replaced by one holding the same
 * key, which makes the process's leases live again.
 */
@ExtendWith(TestServices.class)
class LeaseKeeperIT {

  private static final String LIVE = "SELECT lease_live(now() + interval '5 minutes', $1)";
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
  void aLeaseOfTheKeepersHolderIsLiveUntilTheKeeperCloses() throws Exception {
    LeaseKeeper keeper = fx.newKeeper(fx.vertx);
    LeaseKeeper other = fx.newKeeper(fx.vertx);
    assertThat(keeper.holding()).isTrue();
    assertThat(keeper.holder()).isPositive().isNotEqualTo(other.holder());
    assertThat(keeper.heldKey()).isEqualTo(keeper.holder());
    assertThat(live(keeper.holder())).isTrue();

    Blocking.await(keeper.close(), Duration.ofSeconds(10));

    assertThat(keeper.holding()).isFalse();
    assertThat(keeper.heldKey()).isNull();
    assertThat(live(keeper.holder())).isFalse();
    assertThat(live(other.holder())).isTrue();
  }

  @Test
  void aLeaseEndsWithItsTimeWhateverItsHolderAndLastsItsTimeWithout() throws Exception {
    LeaseKeeper keeper = fx.newKeeper(fx.vertx);
    assertThat(bool("SELECT lease_live(now() - interval '1 second', $1)", keeper.holder()))
        .isFalse();
    assertThat(bool("SELECT lease_live(NULL, $1)", keeper.holder())).isFalse();
    assertThat(bool("SELECT lease_live(now() + interval '1 minute', NULL::int)")).isTrue();
    assertThat(bool("SELECT lease_live(now() - interval '1 second', NULL::int)")).isFalse();
  }

  @Test
  void aDroppedSessionIsReplacedByOneHoldingTheSameKey() throws Exception {
    LeaseKeeper keeper = fx.newKeeper(fx.vertx);
    int holder = keeper.holder();
    int pid = keeper.sessionPid();

    assertThat(bool("SELECT pg_terminate_backend($1)", pid)).isTrue();

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> keeper.holding() && keeper.sessionPid() != pid);
    assertThat(keeper.holder()).isEqualTo(holder);
    assertThat(live(holder)).isTrue();
    assertThat(
            fx.count(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    + " AND mode = 'ExclusiveLock' AND classid::bigint = $1 AND objid::bigint = $2 AND pid = $3",
                (long) LeaseKeeper.LEASE_LOCK_CLASS,
                (long) holder,
                keeper.sessionPid()))
        .isEqualTo(1);
  }

  private boolean live(int holder) throws Exception {
    return bool(LIVE, holder);
  }

  private boolean bool(String sql, Object... params) throws Exception {
    return fx.query(sql, params).get(0).getBoolean(0);
  }
}
