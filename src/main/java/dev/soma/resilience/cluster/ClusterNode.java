package dev.soma.resilience.cluster;

import com.hazelcast.core.HazelcastInstance;
import dev.soma.resilience.config.NodeRole;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Optional;

/**
 * This node's {@link Vertx} and, when it is clustered, its Hazelcast member.
 *
 * @param vertx this node's Vert.x (its event bus spans the cluster when clustered)
 * @param member the Hazelcast member; empty when the node runs alone
 */
public record ClusterNode(Vertx vertx, Optional<HazelcastInstance> member) {

  /**
   * How many nodes of the cluster run {@code role} now, as this node sees them (this node only,
   * when it runs alone; at least 1).
   */
  public int running(NodeRole role) {
    return member
        .map(
            hazelcast ->
                hazelcast.getLifecycleService().isRunning()
                    ? (int)
                        hazelcast.getCluster().getMembers().stream()
                            .filter(m -> OldestMember.runs(m, role))
                            .count()
                    : 1)
        .map(count -> Math.max(1, count))
        .orElse(1);
  }

  /** Who runs the one-per-cluster part of {@code role}: see {@link Leadership}. */
  public Leadership leadership(NodeRole role, Clock clock) {
    return member
        .<Leadership>map(hazelcast -> new OldestMember(hazelcast, role))
        .orElseGet(() -> Leadership.alone(clock));
  }
}
