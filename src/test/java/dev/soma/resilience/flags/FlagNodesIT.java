package dev.soma.resilience.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.db.Database;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two processes' worth of flags (each its own Vert.x, pool, book and {@code LISTEN}) on one
 * database: a rule stored through one is in force on the other within a second (the periodic
 * re-read is set to an hour, so only the notification can bring it), a node started afterwards
 * starts under it, and clearing it reaches every node the same way.
 */
@ExtendWith(TestServices.class)
class FlagNodesIT {

  private static final Duration NEVER = Duration.ofHours(1);
  private static final FeatureFlag CANARY = FeatureFlag.LLM_CANARY_CHAIN;

  private final Database database = new Database(TestServices.freshDatabase());
  private final List<Node> nodes = new ArrayList<>();

  /** One process: its Vert.x, pool, flag book and its flag sync. */
  private final class Node {
    final Vertx vertx = Vertx.vertx();
    final Pool pool = database.pool(vertx, 2);
    final FlagBook book = new FlagBook();
    final FeatureFlags store = new FeatureFlags(pool);

    Node() throws Exception {
      nodes.add(this);
      Blocking.await(
          vertx.deployVerticle(store.syncTo(book, database.connectOptions(), NEVER)),
          Duration.ofSeconds(30));
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
  void aRuleSetOnOneNodeIsInForceOnTheOtherWithinASecondAndSurvivesARestart() throws Exception {
    Vertx migrator = Vertx.vertx();
    try {
      Blocking.await(database.migrate(migrator), Duration.ofSeconds(60));
    } finally {
      Blocking.await(migrator.close(), Duration.ofSeconds(10));
    }
    Node a = new Node();
    Node b = new Node();
    assertThat(b.book.isOn(CANARY, "acme")).isFalse();

    Blocking.await(
        a.store.set(
            CANARY,
            new FlagRule(
                new TreeSet<>(Set.of("acme")), new TreeSet<>(), 0, "alice", "", Instant.EPOCH)),
        Duration.ofSeconds(10));

    await()
        .atMost(Duration.ofSeconds(1))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> b.book.isOn(CANARY, "acme"));
    assertThat(b.book.verdict(CANARY, "acme").reason()).isEqualTo(Verdict.Reason.ALLOW_LIST);
    assertThat(b.book.isOn(CANARY, "someone-else")).isFalse();

    b.close();
    Node restarted = new Node();
    assertThat(restarted.book.isOn(CANARY, "acme"))
        .as("the stored rule, read at start-up")
        .isTrue();

    Blocking.await(a.store.clear(CANARY, "bob", "canary over"), Duration.ofSeconds(10));

    await()
        .atMost(Duration.ofSeconds(1))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> !restarted.book.isOn(CANARY, "acme"));
    assertThat(restarted.book.rules()).isEmpty();
    List<String> audit = new ArrayList<>();
    Blocking.await(
            a.pool
                .query("SELECT action || ' by ' || operator FROM admin_audit ORDER BY id")
                .execute(),
            Duration.ofSeconds(10))
        .forEach(row -> audit.add(row.getString(0)));
    assertThat(audit).containsExactly("flag.set by alice", "flag.clear by bob");
  }
}
