package dev.soma.resilience.config;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * What this node runs and how it stands among the others.
 *
 * @param roles the parts it runs ({@code SA01_ROLES}; default every role)
 * @param shutdownGrace on SIGTERM, how long the node may take to stop: readiness answers 503 at
 *     once, then the parts stop, settling or releasing what they hold ({@code
 *     SA01_SHUTDOWN_GRACE_SECONDS})
 * @param cluster the clustered event bus; empty to run alone ({@code SA01_CLUSTER_*})
 * @throws ConfigException when no role is given, or when a node that runs alone has an API without
 *     the failover and monitor it reaches over the event bus
 */
public record NodeConfig(
    Set<NodeRole> roles, Duration shutdownGrace, Optional<ClusterConfig> cluster) {

  public NodeConfig {
    roles = Set.copyOf(roles);
    if (roles.isEmpty()) {
      throw ConfigException.invalidSetting("roles", "", "at least one role");
    }
    Require.positive("shutdownGraceSeconds", shutdownGrace);
    Require.present("cluster", cluster);
    if (cluster.isEmpty()
        && roles.contains(NodeRole.API)
        && !roles.containsAll(Set.of(NodeRole.FAILOVER, NodeRole.MONITOR))) {
      throw ConfigException.invalidSetting(
          "roles",
          NodeRole.wire(roles),
          "api together with failover and monitor on a node that runs alone (or"
              + " SA01_CLUSTER_ENABLED=true, to reach them on other nodes)");
    }
  }

  public boolean runs(NodeRole role) {
    return roles.contains(role);
  }

  public boolean clustered() {
    return cluster.isPresent();
  }

  /** For the start-up line: the roles, and the cluster address or "alone". */
  public String describe() {
    return "roles "
        + NodeRole.wire(roles)
        + cluster.map(c -> ", clustered as " + c.host() + ":" + c.port()).orElse(", not clustered");
  }

  static NodeConfig from(Settings s) {
    return new NodeConfig(
        NodeRole.parseList(s.string("roles")),
        s.duration("shutdownGraceSeconds", 1, 3600),
        ClusterConfig.from(s));
  }
}
