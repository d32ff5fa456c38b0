package dev.soma.resilience.testing;

import static org.awaitility.Awaitility.await;

import dev.soma.resilience.Application;
import dev.soma.resilience.config.DatabaseUrl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A cluster of the service's nodes for one test, each node a separate JVM ({@link RelayProcess},
 * role {@link Application.Role#SERVICE}) on one database, the tests' Kafka and Redis, clustered
 * over loopback (Hazelcast TCP-IP join, every node listing every node). Node {@code i} keeps its
 * addresses and its data directory for the whole test: its cluster port, its HTTP port (as a load
 * balancer's list of backends would name it) and {@code SA01_DATA_DIR}, so {@link #restart} starts
 * it again as the same node. Blocking; for the test thread. The processes are ended by the {@link
 * RelayProcesses} that started them.
 */
public final class ClusterNodes {

  private final RelayProcesses processes;
  private final DatabaseUrl database;
  private final Map<String, String> common;
  private final List<Integer> clusterPorts;
  private final List<Integer> httpPorts;
  private final List<String> dataDirs;
  private final List<Map<String, String>> settings;
  private final List<RelayProcess> nodes;
  private final int[] starts;

  /**
   * {@code size} nodes on {@code database}, each with {@code common} ({@code SA01_*}) on top of the
   * cluster settings; none started yet.
   */
  public ClusterNodes(
      RelayProcesses processes, DatabaseUrl database, int size, Map<String, String> common) {
    this.processes = processes;
    this.database = database;
    this.common = Map.copyOf(common);
    this.clusterPorts = IntStream.range(0, size).mapToObj(i -> FreePort.find()).toList();
    this.httpPorts = IntStream.range(0, size).mapToObj(i -> FreePort.find()).toList();
    this.dataDirs =
        IntStream.range(0, size)
            .mapToObj(i -> TestServices.tempDir("cluster-node-" + i + "-").toString())
            .toList();
    this.settings = new ArrayList<>(Collections.nCopies(size, Map.of()));
    this.nodes = new ArrayList<>(Collections.nCopies(size, null));
    this.starts = new int[size];
  }

  /**
   * Starts node 0 and waits until it runs, so that it is the cluster's oldest member, then the
   * others, node {@code i} with {@code perNode.get(i)} on top of the common settings; returns the
   * nodes once each runs and sees them all.
   */
  public List<RelayProcess> startAll(List<Map<String, String>> perNode, Duration timeout) {
    start(0, perNode.get(0)).awaitStarted(timeout);
    for (int i = 1; i < size(); i++) {
      start(i, perNode.get(i));
    }
    nodes.forEach(node -> node.awaitStarted(timeout));
    awaitJoined(timeout);
    return List.copyOf(nodes);
  }

  /**
   * Launches node {@code index} with {@code own} settings on top of the common ones (remembered for
   * {@link #restart}); does not wait for it.
   */
  private RelayProcess start(int index, Map<String, String> own) {
    settings.set(index, Map.copyOf(own));
    return launch(index);
  }

  /** Launches node {@code index} again with the settings it had (its previous process is gone). */
  public RelayProcess restart(int index) {
    if (nodes.get(index).alive()) {
      throw new IllegalStateException("node " + index + " still runs: " + nodes.get(index));
    }
    return launch(index);
  }

  private RelayProcess launch(int index) {
    Map<String, String> env = new HashMap<>(common);
    env.put("SA01_CLUSTER_ENABLED", "true");
    env.put("SA01_CLUSTER_HOST", "127.0.0.1");
    env.put("SA01_CLUSTER_PORT", Integer.toString(clusterPorts.get(index)));
    env.put("SA01_CLUSTER_MEMBERS", members());
    env.put("SA01_HTTP_PORT", Integer.toString(httpPorts.get(index)));
    env.put("SA01_REDIS_URL", TestServices.redis().toString());
    env.put("SA01_DATA_DIR", dataDirs.get(index));
    env.putAll(settings.get(index));
    int start = ++starts[index];
    // a log of its own for each start of the node
    String name = "node-" + index + (start == 1 ? "" : "-start-" + start);
    RelayProcess node = processes.start(name, Application.Role.SERVICE, database, env);
    nodes.set(index, node);
    return node;
  }

  /** Waits until every node runs in one cluster: {@code cluster_nodes} is the size on each. */
  public void awaitJoined(Duration timeout) {
    await(size() + " nodes in one cluster")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> nodes.stream().allMatch(n -> n.metric("cluster_nodes") == size()));
  }

  /** Node {@code index}'s current process. */
  public RelayProcess node(int index) {
    return nodes.get(index);
  }

  /** Every node's HTTP port, by index: the same across restarts. */
  public List<Integer> httpPorts() {
    return httpPorts;
  }

  public int size() {
    return clusterPorts.size();
  }

  private String members() {
    return clusterPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
  }
}
