package dev.soma.resilience.memory;

import dev.soma.resilience.breaker.BreakerPanel;
import dev.soma.resilience.breaker.CircuitBreakers;
import dev.soma.resilience.common.db.LeaseKeeper;
import dev.soma.resilience.config.MemoryConfig;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.flags.FlagBook;
import dev.soma.resilience.memory.internal.MemoryGauges;
import dev.soma.resilience.memory.internal.MemorySync;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory feature's long-lived parts, built once per process by the composition root (or a
 * command): the one SomaBrain client, the {@link MemoryService} with the one SomaBrain breaker that
 * every HTTP verticle instance shares (gauge {@code circuit_state{service="somabrain"}}), the sync
 * that sends queued memories to SomaBrain, and the queue's gauges ({@code memory_pending}, {@code
 * memory_sync_lag_seconds}, there from the start). Without {@code SA01_SOMABRAIN_URL} there is no
 * client: memories wait in the queue.
 */
public final class Memories {

  private static final Logger LOG = LoggerFactory.getLogger(Memories.class);

  private final Vertx vertx;
  private final PendingMemories queue;
  private final LeaseKeeper keeper;
  private final Optional<SomaBrainClient> somabrain;
  private final MemoryConfig config;
  private final MeterRegistry registry;
  private final MemoryService service;
  private final MemoryGauges gauges;

  private Memories(
      Vertx vertx,
      Pool pool,
      LeaseKeeper keeper,
      Optional<SomaBrainClient> somabrain,
      MemoryConfig config,
      MeterRegistry registry,
      BooleanSupplier statusSaysAvailable,
      BreakerPanel panel,
      FlagBook flags) {
    this.vertx = vertx;
    this.queue = new PendingMemories(pool);
    this.keeper = keeper;
    this.somabrain = somabrain;
    this.config = config;
    this.registry = registry;
    CircuitBreakers breakers =
        new CircuitBreakers(
            Clock.systemUTC(),
            config.breaker(),
            Map.of(),
            registry,
            change ->
                LOG.info(
                    "SomaBrain breaker for {}: {} -> {}",
                    change.tenant(),
                    change.from(),
                    change.to() + change.override().map(o -> " (" + o.describe() + ")").orElse("")),
            panel);
    if (somabrain.isPresent()) {
      breakers.watch(MemoryService.DEPENDENCY);
    }
    this.service =
        new MemoryService(vertx, queue, somabrain, config, breakers, statusSaysAvailable, flags);
    this.gauges = new MemoryGauges(queue, config.syncInterval(), registry);
  }

  /**
   * The process's memory parts. {@code statusSaysAvailable} is the degradation monitor's verdict on
   * SomaBrain (a {@code DegradationStatusView}); for a command that only syncs, {@code () -> true}.
   * The sync's leases end with the session of {@code keeper}, the process's lease keeper. The
   * SomaBrain breaker joins {@code panel}, the process's breakers; {@code flags} are the process's
   * feature flags ({@code memory.queue-first}).
   */
  public static Memories create(
      Vertx vertx,
      Pool pool,
      LeaseKeeper keeper,
      ServiceConfig config,
      MeterRegistry registry,
      BooleanSupplier statusSaysAvailable,
      BreakerPanel panel,
      FlagBook flags) {
    Optional<SomaBrainClient> somabrain =
        config.somabrainUrl().map(url -> SomaBrainClient.create(vertx, url, config.memory()));
    return new Memories(
        vertx,
        pool,
        keeper,
        somabrain,
        config.memory(),
        registry,
        statusSaysAvailable,
        panel,
        flags);
  }

  /** Remember and recall, for the API. */
  public MemoryService service() {
    return service;
  }

  /**
   * Deploys the queue's gauges and the sync (named {@code owner} in its leases) where SomaBrain is
   * configured; without it, says so and deploys only the gauges.
   */
  public Future<Optional<Sync>> deploySync(String owner) {
    Future<String> gaugesUp = vertx.deployVerticle(gauges);
    if (somabrain.isEmpty()) {
      LOG.info("SomaBrain not configured (SA01_SOMABRAIN_URL): memories wait in the queue");
      return gaugesUp.map(id -> Optional.empty());
    }
    MemorySync sync = new MemorySync(queue, somabrain.get(), config, owner, keeper, registry);
    return gaugesUp
        .compose(id -> vertx.deployVerticle(sync))
        .map(id -> Optional.of(new Sync(sync)));
  }

  /** A deployed sync, for a command that runs one pass. */
  public static final class Sync {
    private final MemorySync sync;

    private Sync(MemorySync sync) {
      this.sync = sync;
    }

    /** Syncs until nothing more is due now; completes with what happened. */
    public Future<SyncRound> untilIdle() {
      return sync.drainUntilIdle();
    }
  }
}
