package dev.soma.resilience.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.idempotency.IdempotentRequests.Begin;
import dev.soma.resilience.testing.ManualClock;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An {@code Idempotency-Key}'s lifetime, on a clock the test moves: replayed for its whole
 * retention, a fresh key afterwards, deleted by the cleanup once expired; a key whose request died
 * in progress is taken over after {@code abandonAfter}, not before.
 */
@ExtendWith(TestServices.class)
class IdempotencyKeyLifetimeIT {

  private static final Duration RETENTION = Duration.ofHours(24);
  private static final Duration ABANDON_AFTER = Duration.ofMinutes(5);
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  // far from the database's own clock, so a rule that read now() there would show
  private final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
  private OutboxFixture fx;
  private IdempotentRequests requests;

  @BeforeEach
  void setUp() throws Exception {
    fx = new OutboxFixture();
    requests = new IdempotentRequests(fx.pool, fx.keeper(), RETENTION, ABANDON_AFTER, clock);
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
  }

  @Test
  void aCompletedKeyIsReplayedForItsRetentionAndIsFreshAfterwards() throws Exception {
    assertThat(begin("k", "request-1")).isEqualTo(Begin.PROCEED);
    Blocking.await(
        requests.complete(fx.pool, "tenant", "k", 201, new JsonObject().put("id", 1)), TIMEOUT);

    clock.advance(RETENTION.minusMinutes(1));
    assertThat(begin("k", "request-1")).isEqualTo(Begin.REPLAY);
    assertThat(begin("k", "request-2")).isEqualTo(Begin.MISMATCH);

    clock.advance(Duration.ofMinutes(2));
    assertThat(begin("k", "request-2")).isEqualTo(Begin.PROCEED);
  }

  @Test
  void aKeyLeftInProgressIsTakenOverOnlyAfterAbandonAfter() throws Exception {
    assertThat(begin("k", "request-1")).isEqualTo(Begin.PROCEED);

    clock.advance(ABANDON_AFTER.minusSeconds(1));
    assertThat(begin("k", "request-1")).isEqualTo(Begin.IN_PROGRESS);

    clock.advance(Duration.ofSeconds(2));
    assertThat(begin("k", "request-1")).isEqualTo(Begin.PROCEED);
  }

  @Test
  void theCleanupDeletesAKeyOnceItsRetentionIsOver() throws Exception {
    IdempotencyCleanup cleanup = new IdempotencyCleanup(fx.pool, Duration.ofMinutes(5), clock);
    begin("early", "request-1");
    clock.advance(Duration.ofHours(12));
    begin("late", "request-2");

    clock.advance(Duration.ofHours(12).minusMinutes(1));
    assertThat(Blocking.await(cleanup.deleteExpired(), TIMEOUT)).isZero();

    clock.advance(Duration.ofMinutes(2));
    assertThat(Blocking.await(cleanup.deleteExpired(), TIMEOUT)).isEqualTo(1);
    assertThat(fx.query("SELECT idem_key FROM idempotency_records"))
        .extracting(row -> row.getString(0))
        .containsExactly("late");
  }

  private Begin begin(String key, String requestHash) throws Exception {
    return Blocking.await(requests.begin("tenant", key, requestHash), TIMEOUT).begin();
  }
}
