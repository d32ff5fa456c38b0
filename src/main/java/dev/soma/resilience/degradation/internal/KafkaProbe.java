package dev.soma.resilience.degradation.internal;

import io.vertx.core.Future;
import io.vertx.kafka.admin.KafkaAdminClient;

/** Kafka: a cluster-metadata request ({@code describeCluster}) through the shared admin client. */
final class KafkaProbe implements HealthProbe {

  private final KafkaAdminClient admin;

  KafkaProbe(KafkaAdminClient admin) {
    this.admin = admin;
  }

  @Override
  public Future<Void> check() {
    return admin
        .describeCluster()
        .compose(
            cluster ->
                cluster.getNodes().isEmpty()
                    ? Future.failedFuture("the cluster reports no brokers")
                    : Future.succeededFuture());
  }
}
