package dev.soma.resilience;

import dev.soma.resilience.breaker.BreakerPanel;
import dev.soma.resilience.cluster.ClusterNode;
import dev.soma.resilience.common.db.Database;
import dev.soma.resilience.common.db.LeaseKeeper;
import dev.soma.resilience.config.NodeRole;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.flags.FlagBook;
import dev.soma.resilience.memory.Memories;
import dev.soma.resilience.outbox.Outbox;
import dev.soma.resilience.outbox.OutboxRelays;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.sqlclient.Pool;
import java.util.function.BooleanSupplier;

/**
 * This process's long-lived parts, each built once by {@link Application} (the composition root),
 * on which the node's roles are deployed: Vert.x and its cluster node, the database with the shared
 * pool and the lease keeper (the schema is migrated), the Kafka producer and admin client, the
 * outbox, the meters, the breakers and the feature flags in force.
 */
record NodeParts(
    Vertx vertx,
    ClusterNode cluster,
    Database database,
    Pool pool,
    LeaseKeeper keeper,
    KafkaProducer<String, String> producer,
    KafkaAdminClient admin,
    Outbox outbox,
    PrometheusMeterRegistry registry,
    BreakerPanel breakers,
    FlagBook flags) {

  /** The relay's wiring on these parts. */
  OutboxRelays relays(ServiceConfig config) {
    return new OutboxRelays(
        pool,
        producer,
        admin,
        keeper,
        config.outbox(),
        registry,
        flags,
        () -> cluster.running(NodeRole.RELAY));
  }

  /**
   * The memory parts on these parts; {@code statusSaysAvailable} is the degradation monitor's
   * verdict on SomaBrain.
   */
  Memories memories(ServiceConfig config, BooleanSupplier statusSaysAvailable) {
    return Memories.create(
        vertx, pool, keeper, config, registry, statusSaysAvailable, breakers, flags);
  }
}
