package dev.soma.resilience.outbox.internal;

import io.vertx.core.Future;
import io.vertx.kafka.admin.KafkaAdminClient;

/**
 * Answers "is the Kafka cluster reachable at all?" with a cluster-metadata request. The relay asks
 * when records failed and nothing was acknowledged meanwhile: a reachable cluster means the records
 * have a problem of their own (counted attempts); an unreachable one is an outage (not counted).
 */
public interface BrokerProbe {

  /** Completes with whether the cluster answered; never fails. */
  Future<Boolean> reachable();

  /** A probe through {@code admin} ({@code describeCluster}). */
  static BrokerProbe of(KafkaAdminClient admin) {
    return () ->
        admin.describeCluster().map(cluster -> !cluster.getNodes().isEmpty()).otherwise(false);
  }
}
