package dev.soma.resilience.outbox;

import dev.soma.resilience.common.db.LeaseKeeper;
import dev.soma.resilience.config.OutboxConfig;
import dev.soma.resilience.flags.FlagBook;
import dev.soma.resilience.outbox.internal.BrokerProbe;
import dev.soma.resilience.outbox.internal.DeadLetterPublisher;
import dev.soma.resilience.outbox.internal.OutboxDrain;
import dev.soma.resilience.outbox.internal.OutboxHousekeeping;
import dev.soma.resilience.outbox.internal.OutboxMetrics;
import dev.soma.resilience.outbox.internal.OutboxRelay;
import dev.soma.resilience.outbox.internal.OutboxRepository;
import dev.soma.resilience.outbox.internal.RelayParts;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * The relay's wiring for one process, used by the service and by {@code publish-outbox}: the relay
 * verticle with its housekeeping (retention, dead letters' {@code .dlq} copies, the pending gauge),
 * or one pass over the outbox. Both share the process's pool and idempotent producer; the metrics
 * are registered once.
 */
public final class OutboxRelays {

  private final Pool pool;
  private final RelayParts parts;

  /**
   * @param admin asked whether the cluster is reachable when sends fail (outage detection)
   * @param keeper the process's lease keeper: the relay's leases end with the process
   * @param flags the process's feature flags: the per-tenant quota paces the tenants {@code
   *     relay.tenant-quotas} is on for
   */
  public OutboxRelays(
      Pool pool,
      KafkaProducer<String, String> producer,
      KafkaAdminClient admin,
      LeaseKeeper keeper,
      OutboxConfig config,
      MeterRegistry registry,
      FlagBook flags,
      IntSupplier relayNodes) {
    this.pool = pool;
    this.parts =
        new RelayParts(
            new OutboxRepository(pool),
            producer,
            new DeadLetterPublisher(pool, producer),
            BrokerProbe.of(admin),
            new OutboxMetrics(registry),
            config,
            keeper,
            flags,
            relayNodes);
  }

  /**
   * Deploys the relay (named {@code relayId} in its leases; woken by {@code LISTEN} on {@code
   * listenTo} when given) and the housekeeping.
   */
  public Future<?> deploy(Vertx vertx, String relayId, Optional<PgConnectOptions> listenTo) {
    return vertx
        .deployVerticle(
            () -> new OutboxRelay(parts, relayId, listenTo, Clock.systemUTC()),
            new DeploymentOptions())
        .compose(
            v ->
                vertx.deployVerticle(
                    new OutboxHousekeeping(
                        pool, parts.config(), parts.metrics(), parts.deadLetters())));
  }

  /** Publishes everything due now, then the pending {@code .dlq} copies; one pass. */
  public Future<DrainSummary> drainOnce(Vertx vertx, String owner) {
    OutboxDrain drain = new OutboxDrain(vertx, parts, owner);
    Promise<DrainSummary> done = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> drain.run().onComplete(done));
    return done.future();
  }
}
