package dev.soma.resilience.outbox.internal;

import dev.soma.resilience.common.db.LeaseKeeper;
import dev.soma.resilience.config.OutboxConfig;
import dev.soma.resilience.flags.FlagBook;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.producer.KafkaProducer;
import java.time.Clock;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * What every way of publishing the outbox works with - the relay verticle, a one-off drain and
 * their batch publishers: the outbox table, the producer its records go out through, the
 * dead-letter publisher, the probe that tells a broker outage from a bad record, the metrics, the
 * outbox settings, the process's lease keeper (leases are taken only while it holds its lock, and
 * end with the process), and the process's feature flags (the per-tenant quota applies where {@code
 * relay.tenant-quotas} is on), and how many relay nodes share a tenant's quota (each takes an equal
 * share). One process shares one set.
 */
public record RelayParts(
    OutboxRepository repository,
    KafkaProducer<String, String> producer,
    DeadLetterPublisher deadLetters,
    BrokerProbe probe,
    OutboxMetrics metrics,
    OutboxConfig config,
    LeaseKeeper keeper,
    FlagBook flags,
    IntSupplier relayNodes) {

  /**
   * A publisher settling rows for {@code owner}, whose claims {@code claims} numbers; see {@link
   * BatchPublisher#create}.
   */
  BatchPublisher publisher(
      Vertx vertx, String owner, ClaimNumbers claims, Clock clock, BooleanSupplier stopping) {
    return BatchPublisher.create(vertx, this, owner, claims, clock, stopping);
  }
}
