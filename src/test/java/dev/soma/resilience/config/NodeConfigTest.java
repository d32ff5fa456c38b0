package dev.soma.resilience.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NodeConfigTest {

  private static NodeConfig load(Map<String, String> env) {
    return ServiceConfig.load(env).node();
  }

  @Test
  void byDefaultANodeRunsEveryRoleAlone() {
    NodeConfig node = load(Map.of());

    assertThat(node.roles()).isEqualTo(NodeRole.all());
    assertThat(node.cluster()).isEmpty();
    assertThat(node.shutdownGrace()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void rolesAreReadFromACommaSeparatedList() {
    NodeConfig node =
        load(
            Map.of(
                "SA01_ROLES", " relay, memory-sync ",
                "SA01_SHUTDOWN_GRACE_SECONDS", "12"));

    assertThat(node.roles()).containsExactlyInAnyOrder(NodeRole.RELAY, NodeRole.MEMORY_SYNC);
    assertThat(node.runs(NodeRole.API)).isFalse();
    assertThat(node.shutdownGrace()).isEqualTo(Duration.ofSeconds(12));
  }

  @Test
  void anUnknownRoleIsRefusedWithTheListOfRoles() {
    assertThatThrownBy(() -> load(Map.of("SA01_ROLES", "api,relay,cache")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "SA01_ROLES must be a comma-separated list of api,relay,memory-sync,monitor,failover,"
                + " but was 'api,relay,cache'");
  }

  @Test
  void noRoleAtAllIsRefused() {
    assertThatThrownBy(() -> load(Map.of("SA01_ROLES", " , ")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("SA01_ROLES must be a comma-separated list");
  }

  @Test
  void anApiWithoutItsFailoverCannotRunAlone() {
    assertThatThrownBy(() -> load(Map.of("SA01_ROLES", "api,monitor")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "SA01_ROLES must be api together with failover and monitor on a node that runs alone"
                + " (or SA01_CLUSTER_ENABLED=true, to reach them on other nodes), but was"
                + " 'api,monitor'");
  }

  @Test
  void aClusteredApiNodeReachesTheOtherRolesOnOtherNodes() {
    NodeConfig node =
        load(
            Map.of(
                "SA01_ROLES", "api",
                "SA01_CLUSTER_ENABLED", "true",
                "SA01_CLUSTER_HOST", "10.0.0.7",
                "SA01_CLUSTER_MEMBERS", "10.0.0.7:5701,10.0.0.8:5701",
                "SA01_EVENTBUS_PORT", "5702"));

    ClusterConfig cluster = node.cluster().orElseThrow();
    assertThat(node.roles()).containsExactly(NodeRole.API);
    assertThat(cluster.host()).isEqualTo("10.0.0.7");
    assertThat(cluster.port()).isEqualTo(5701);
    assertThat(cluster.eventBusPort()).isEqualTo(5702);
    assertThat(cluster.members()).containsExactly("10.0.0.7:5701", "10.0.0.8:5701");
    assertThat(cluster.kubernetesService()).isEmpty();
    assertThat(cluster.joinTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(cluster.expectedNodes()).as("the member list's length").isEqualTo(2);
  }

  @Test
  void kubernetesDiscoveryNamesTheHeadlessService() {
    ClusterConfig cluster =
        load(Map.of(
                "SA01_CLUSTER_ENABLED", "true",
                "SA01_CLUSTER_HOST", "10.1.2.3",
                "SA01_CLUSTER_KUBERNETES_SERVICE", "soma-cluster.soma.svc.cluster.local"))
            .cluster()
            .orElseThrow();

    assertThat(cluster.kubernetesService()).contains("soma-cluster.soma.svc.cluster.local");
    assertThat(cluster.members()).isEmpty();
    assertThat(cluster.expectedNodes()).as("no expectation unless told").isZero();
  }

  @Test
  void theExpectedNodeCountIsTakenAsGivenOrRefusedWithoutClustering() {
    ClusterConfig cluster =
        load(Map.of(
                "SA01_CLUSTER_ENABLED", "true",
                "SA01_CLUSTER_HOST", "10.1.2.3",
                "SA01_CLUSTER_KUBERNETES_SERVICE", "soma-cluster.soma.svc.cluster.local",
                "SA01_CLUSTER_EXPECTED_NODES", "3"))
            .cluster()
            .orElseThrow();
    assertThat(cluster.expectedNodes()).isEqualTo(3);

    assertThatThrownBy(() -> load(Map.of("SA01_CLUSTER_EXPECTED_NODES", "3")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("SA01_CLUSTER_EXPECTED_NODES must be unset while");
  }

  @Test
  void aClusterWithoutAWayToFindTheOthersIsRefused() {
    assertThatThrownBy(
            () -> load(Map.of("SA01_CLUSTER_ENABLED", "true", "SA01_CLUSTER_HOST", "10.0.0.7")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "SA01_CLUSTER_MEMBERS must be the host:port list of the nodes to join, or"
                + " SA01_CLUSTER_KUBERNETES_SERVICE, but was ''");
  }

  @Test
  void twoWaysToFindTheOthersAreRefused() {
    assertThatThrownBy(
            () ->
                load(
                    Map.of(
                        "SA01_CLUSTER_ENABLED", "true",
                        "SA01_CLUSTER_HOST", "10.0.0.7",
                        "SA01_CLUSTER_MEMBERS", "10.0.0.8:5701",
                        "SA01_CLUSTER_KUBERNETES_SERVICE", "soma-cluster")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("SA01_CLUSTER_MEMBERS must be empty when");
  }

  @Test
  void aClusteredNodeNeedsItsOwnAddress() {
    assertThatThrownBy(
            () ->
                load(
                    Map.of(
                        "SA01_CLUSTER_ENABLED", "true", "SA01_CLUSTER_MEMBERS", "10.0.0.8:5701")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("SA01_CLUSTER_HOST must be this node's host name or IP address");
  }

  @Test
  void aMalformedMemberListIsRefused() {
    assertThatThrownBy(
            () ->
                load(
                    Map.of(
                        "SA01_CLUSTER_ENABLED", "true",
                        "SA01_CLUSTER_HOST", "10.0.0.7",
                        "SA01_CLUSTER_MEMBERS", "10.0.0.8:5701,10.0.0.9")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "SA01_CLUSTER_MEMBERS must be a comma-separated host:port list with ports from 1 to"
                + " 65535, but was '10.0.0.8:5701,10.0.0.9'");
  }

  @Test
  void clusterSettingsWithoutClusteringEnabledAreRefusedRatherThanIgnored() {
    assertThatThrownBy(() -> load(Map.of("SA01_CLUSTER_MEMBERS", "10.0.0.8:5701")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "SA01_CLUSTER_MEMBERS must be unset while SA01_CLUSTER_ENABLED is false (set"
                + " SA01_CLUSTER_ENABLED=true to cluster), but was '10.0.0.8:5701'");
  }

  @Test
  void aClusterPortOutOfRangeIsRefused() {
    assertThatThrownBy(
            () ->
                new ClusterConfig(
                    "h", 0, 0, List.of("h:1"), Optional.empty(), Duration.ofSeconds(1), 1))
        .isInstanceOf(ConfigException.class)
        .hasMessage("SA01_CLUSTER_PORT must be from 1 to 65535, but was '0'");
  }

  @Test
  void rolesHaveTheirWireNames() {
    assertThat(NodeRole.fromWire("memory-sync")).contains(NodeRole.MEMORY_SYNC);
    assertThat(NodeRole.fromWire("MEMORY_SYNC")).isEmpty();
    assertThat(Set.of(NodeRole.values())).hasSize(5);
  }
}
