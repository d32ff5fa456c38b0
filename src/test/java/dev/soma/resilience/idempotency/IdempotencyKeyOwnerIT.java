package dev.soma.resilience.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.db.LeaseKeeper;
import dev.soma.resilience.idempotency.IdempotentRequests.Begin;
import dev.soma.resilience.testing.ManualClock;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An {@code Idempotency-Key} in progress belongs to the process that began it: while that process
 * lives a retry elsewhere is told to wait (409), and once its PostgreSQL session is gone the retry
 * proceeds at once, long before {@code abandonAfter}.
 */
@ExtendWith(TestServices.class)
class IdempotencyKeyOwnerIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
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
  void aKeyWhoseProcessDiedMidRequestIsTakenOverByTheRetryAtOnce() throws Exception {
    Vertx first = Vertx.vertx();
    LeaseKeeper firstKeeper = fx.newKeeper(first);
    IdempotentRequests firstNode = requests(firstKeeper);
    IdempotentRequests secondNode = requests(fx.keeper());
    assertThat(begin(firstNode)).isEqualTo(Begin.PROCEED);
    assertThat(begin(secondNode)).as("while the first process lives").isEqualTo(Begin.IN_PROGRESS);

    Blocking.await(first.close(), Duration.ofSeconds(30));

    assertThat(begin(secondNode)).as("its process gone").isEqualTo(Begin.PROCEED);
    assertThat(begin(secondNode)).as("now the retry's").isEqualTo(Begin.IN_PROGRESS);
  }

  private IdempotentRequests requests(LeaseKeeper keeper) {
    return new IdempotentRequests(
        fx.pool, keeper, Duration.ofHours(24), Duration.ofMinutes(5), clock);
  }

  private Begin begin(IdempotentRequests node) throws Exception {
    return Blocking.await(node.begin("tenant", "k", "request-1"), TIMEOUT).begin();
  }
}
