package dev.soma.resilience.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How a node joins the others over a clustered event bus (Hazelcast), docs/OPERATIONS.md "Running
 * several nodes". Either {@code members} or {@code kubernetesService} says where the others are.
 *
 * @param host this node's address, as the other nodes reach it, for Hazelcast and the event bus
 *     ({@code SA01_CLUSTER_HOST})
 * @param port Hazelcast's port ({@code SA01_CLUSTER_PORT})
 * @param eventBusPort the event bus's port, 0 for any free one ({@code SA01_EVENTBUS_PORT})
 * @param members the {@code host:port} of nodes to join through ({@code SA01_CLUSTER_MEMBERS})
 * @param kubernetesService a headless Service's DNS name, for Hazelcast's Kubernetes join ({@code
 *     SA01_CLUSTER_KUBERNETES_SERVICE})
 * @param joinTimeout how long joining may take before the node gives up and exits ({@code
 *     SA01_CLUSTER_JOIN_TIMEOUT_SECONDS})
 * @param expectedNodes how many nodes the cluster should have, exported as {@code
 *     cluster_nodes_expected} for the alert on fewer ({@code SA01_CLUSTER_EXPECTED_NODES}; by
 *     default the member list's length; 0: no expectation)
 * @throws ConfigException when the host is empty, a port out of range, or neither or both of
 *     members and Kubernetes service are given
 */
public record ClusterConfig(
    String host,
    int port,
    int eventBusPort,
    List<String> members,
    Optional<String> kubernetesService,
    Duration joinTimeout,
    int expectedNodes) {

  public ClusterConfig {
    Require.nonEmpty("cluster.host", host);
    Require.between("cluster.port", port, 1, 65535);
    Require.between("eventbus.port", eventBusPort, 0, 65535);
    members = List.copyOf(members);
    Require.present("cluster.kubernetesService", kubernetesService);
    Require.positive("cluster.joinTimeoutSeconds", joinTimeout);
    Require.between("cluster.expectedNodes", expectedNodes, 0, 1000);
    if (members.isEmpty() == kubernetesService.isEmpty()) {
      throw ConfigException.invalidSetting(
          "cluster.members",
          String.join(",", members),
          members.isEmpty()
              ? "the host:port list of the nodes to join, or SA01_CLUSTER_KUBERNETES_SERVICE"
              : "empty when SA01_CLUSTER_KUBERNETES_SERVICE is set (one way to find the others)");
    }
  }

  /** The cluster's settings; empty when {@code SA01_CLUSTER_ENABLED} is false. */
  static Optional<ClusterConfig> from(Settings s) {
    String host = s.string("cluster.host");
    String members = s.string("cluster.members");
    String kubernetes = s.string("cluster.kubernetesService");
    if (!s.bool("cluster.enabled")) {
      for (String path : List.of("cluster.host", "cluster.members", "cluster.kubernetesService")) {
        if (!s.string(path).isEmpty()) {
          throw offWhileSet(path, s.string(path));
        }
      }
      if (s.intIn("cluster.expectedNodes", 0, 1000) != 0) {
        throw offWhileSet("cluster.expectedNodes", s.string("cluster.expectedNodes"));
      }
      return Optional.empty();
    }
    if (!Settings.isHost(host)) {
      throw ConfigException.invalidSetting(
          "cluster.host", host, "this node's host name or IP address, as the other nodes reach it");
    }
    if (!members.isEmpty() && !Settings.isHostPorts(members, true)) {
      throw ConfigException.invalidSetting(
          "cluster.members",
          members,
          "a comma-separated host:port list with ports from 1 to 65535");
    }
    if (!kubernetes.isEmpty() && !Settings.isHost(kubernetes)) {
      throw ConfigException.invalidSetting(
          "cluster.kubernetesService",
          kubernetes,
          "a headless Service's DNS name, such as soma-cluster.default.svc.cluster.local");
    }
    List<String> listed = members.isEmpty() ? List.of() : List.of(members.split(","));
    int expected = s.intIn("cluster.expectedNodes", 0, 1000);
    return Optional.of(
        new ClusterConfig(
            host,
            s.intIn("cluster.port", 1, 65535),
            s.intIn("eventbus.port", 0, 65535),
            listed,
            kubernetes.isEmpty() ? Optional.empty() : Optional.of(kubernetes),
            s.duration("cluster.joinTimeoutSeconds", 1, 3600),
            expected == 0 ? listed.size() : expected));
  }

  private static ConfigException offWhileSet(String path, String value) {
    return ConfigException.invalidSetting(
        path,
        value,
        "unset while SA01_CLUSTER_ENABLED is false (set SA01_CLUSTER_ENABLED=true to cluster)");
  }
}
