package dev.soma.resilience.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.db.Database;
import dev.soma.resilience.testing.TestServices;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two processes' worth of breakers (each its own Vert.x, pool, panel and {@code LISTEN}) on one
 * database: an override stored through one reaches the other's breakers through {@code NOTIFY}
 * within a second (the periodic re-read is set to an hour, so only the notification can bring it),
 * a node started afterwards starts under it, and a release reaches every node the same way.
 */
@ExtendWith(TestServices.class)
class BreakerOverrideNodesIT {

  private static final Duration NEVER = Duration.ofHours(1);

  private final Database database = new Database(TestServices.freshDatabase());
  private final List<Node> nodes = new ArrayList<>();

  /** One process: its Vert.x, pool, panel with SomaBrain's breakers, and its override sync. */
  private final class Node {
    final Vertx vertx = Vertx.vertx();
    final Pool pool = database.pool(vertx, 2);
    final BreakerPanel panel = new BreakerPanel();
    final CircuitBreakers breakers =
        new CircuitBreakers(
            Clock.systemUTC(),
            BreakerSettings.DEFAULTS,
            Map.of(),
            new SimpleMeterRegistry(),
            t -> {},
            panel);
    final BreakerOverrides store = new BreakerOverrides(pool);

    Node() throws Exception {
      nodes.add(this);
      breakers.watch("somabrain");
      Blocking.await(
          vertx.deployVerticle(store.syncTo(panel, database.connectOptions(), NEVER)),
          Duration.ofSeconds(30));
    }

    CircuitState state(String tenant) {
      return breakers.state("somabrain", tenant);
    }

    void close() throws Exception {
      nodes.remove(this);
      Blocking.await(vertx.close(), Duration.ofSeconds(30));
    }
  }

  @AfterEach
  void closeNodes() throws Exception {
    for (Node node : List.copyOf(nodes)) {
      node.close();
    }
  }

  @Test
  void aForceOnOneNodeReachesTheOtherWithinASecondAndSurvivesARestart() throws Exception {
    Vertx migrator = Vertx.vertx();
    try {
      Blocking.await(database.migrate(migrator), Duration.ofSeconds(60));
    } finally {
      Blocking.await(migrator.close(), Duration.ofSeconds(10));
    }
    Node a = new Node();
    Node b = new Node();
    assertThat(b.state("t1")).isEqualTo(CircuitState.CLOSED);

    Blocking.await(
        a.store.force(
            BreakerId.of("somabrain"), BreakerOverride.Mode.FORCED_OPEN, "alice", "migration"),
        Duration.ofSeconds(10));

    await()
        .atMost(Duration.ofSeconds(1))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> b.state("t1") == CircuitState.OPEN);
    assertThat(b.panel.breaker(BreakerId.of("somabrain")).orElseThrow().override())
        .hasValueSatisfying(
            o -> assertThat(o.describe()).isEqualTo("forced open by alice: migration"));
    assertThat(a.state("t1")).isEqualTo(CircuitState.OPEN);

    b.close();
    Node restarted = new Node();
    assertThat(restarted.state("t1"))
        .as("the stored override, read at start-up")
        .isEqualTo(CircuitState.OPEN);

    Blocking.await(
        a.store.release(BreakerId.of("somabrain"), "bob", "migration done"),
        Duration.ofSeconds(10));

    await()
        .atMost(Duration.ofSeconds(1))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> restarted.state("t1") == CircuitState.CLOSED);
    assertThat(restarted.panel.overrides()).isEmpty();
    List<JsonObject> audit = new ArrayList<>();
    Blocking.await(
            a.pool.query("SELECT action, operator FROM admin_audit ORDER BY id").execute(),
            Duration.ofSeconds(10))
        .forEach(row -> audit.add(row.toJson()));
    assertThat(audit)
        .containsExactly(
            new JsonObject().put("action", "breaker.forced-open").put("operator", "alice"),
            new JsonObject().put("action", "breaker.release").put("operator", "bob"));
  }
}
