package dev.soma.resilience.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.HazelcastInstance;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ClusterConfig;
import dev.soma.resilience.config.NodeRole;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds this node's {@link Vertx}: alone, or as one node of a cluster whose event bus spans every
 * node (Hazelcast as the cluster manager: membership, and where each address has consumers). Nodes
 * find each other through a fixed member list (TCP-IP join) or a Kubernetes headless Service;
 * multicast and auto-detection are off, so a node never joins a cluster it was not told about.
 */
public final class Clustering {

  private static final Logger LOG = LoggerFactory.getLogger(Clustering.class);

  /** Hazelcast's cluster name: nodes of another product on the same network stay apart. */
  static final String CLUSTER_NAME = "soma-resilience";

  /**
   * How long a member may go without a heartbeat before the others drop it. A killed process closes
   * its connections and is dropped at once; this bounds a node cut off by the network.
   */
  static final int NO_HEARTBEAT_SECONDS = 10;

  /** How often, in seconds, the sides of a cut cluster look for each other to merge again. */
  static final String MERGE_EVERY_SECONDS = "5";

  private Clustering() {}

  /**
   * This node's Vert.x with {@code options}, its metrics in {@code registry}: clustered when {@code
   * cluster} is present. A service node ({@code roles} not empty) exports {@code cluster_nodes},
   * the nodes it sees (1 when it runs alone), and {@code cluster_nodes_expected}; a command's
   * process (no roles) does not. Blocks the calling thread until joined; a node that cannot join
   * within the join timeout gets a {@link ClusterJoinException} that says why.
   */
  public static ClusterNode start(
      Optional<ClusterConfig> cluster,
      Set<NodeRole> roles,
      VertxOptions options,
      MeterRegistry registry)
      throws Exception {
    options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true));
    VertxBuilder builder =
        Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry));
    if (cluster.isEmpty()) {
      Vertx alone = builder.build();
      if (!roles.isEmpty()) {
        nodesGauges(registry, () -> 1, 1);
      }
      return new ClusterNode(alone, Optional.empty());
    }
    ClusterConfig c = cluster.get();
    options
        .getEventBusOptions()
        .setHost(c.host())
        .setClusterPublicHost(c.host())
        .setPort(c.eventBusPort());
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcast(c, roles));
    Future<Vertx> joined = builder.withClusterManager(manager).buildClustered();
    Vertx vertx;
    try {
      vertx = Blocking.await(joined, c.joinTimeout());
    } catch (InterruptedException e) {
      // stopped while joining: it leaves as soon as it has joined (or with the process)
      joined.onSuccess(Vertx::close);
      throw e;
    } catch (TimeoutException e) {
      joined.onSuccess(Vertx::close);
      throw new ClusterJoinException(
          "could not join the cluster through " + through(c) + " within " + seconds(c), e);
    } catch (Exception e) {
      // the cause's message goes in the one line that ends start-up (see logback.xml)
      LOG.debug("the cluster member could not start", e);
      throw new ClusterJoinException(
          "could not join the cluster through "
              + through(c)
              + " as "
              + c.host()
              + ":"
              + c.port()
              + ": "
              + e.getMessage(),
          e);
    }
    announce(manager.getHazelcastInstance(), c);
    if (!roles.isEmpty()) {
      nodesGauges(
          registry, () -> manager.isActive() ? manager.getNodes().size() : 0, c.expectedNodes());
    }
    return new ClusterNode(vertx, Optional.of(manager.getHazelcastInstance()));
  }

  private static void nodesGauges(MeterRegistry registry, Supplier<Number> nodes, int expected) {
    Gauge.builder("cluster_nodes", nodes)
        .description("Nodes of the cluster as this node sees them (1 for a node that runs alone)")
        .register(registry);
    Gauge.builder("cluster_nodes_expected", () -> expected)
        .description(
            "Nodes the cluster should have (SA01_CLUSTER_EXPECTED_NODES, by default the member"
                + " list's length; 0: no expectation; 1 for a node that runs alone)")
        .register(registry);
  }

  /** Vert.x's own Hazelcast settings (the maps its event bus needs) with our network and join. */
  static Config hazelcast(ClusterConfig c, Set<NodeRole> roles) {
    Config config = ConfigUtil.loadConfig();
    config
        .getMemberAttributeConfig()
        .setAttribute(
            OldestMember.ROLES,
            roles.stream().map(NodeRole::wire).collect(Collectors.joining(",")));
    config.setClusterName(CLUSTER_NAME);
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    // the node leaves the cluster when the application closes, after its parts have stopped
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty(
        "hazelcast.max.no.heartbeat.seconds", Integer.toString(NO_HEARTBEAT_SECONDS));
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    // the master waits this long to let several joiners in at once (default 5 s per join)
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    // after a network cut the two sides look for each other every few seconds (Hazelcast's
    // default is 5 minutes, then 2), so a node cut off is back soon after its network
    config.setProperty("hazelcast.merge.first.run.delay.seconds", MERGE_EVERY_SECONDS);
    config.setProperty("hazelcast.merge.next.run.delay.seconds", MERGE_EVERY_SECONDS);
    config.setProperty("hazelcast.local.localAddress", address(c.host()));
    // listen on that address only, not on every interface
    config.setProperty("hazelcast.socket.bind.any", "false");
    NetworkConfig network = config.getNetworkConfig().setPort(c.port()).setPortAutoIncrement(false);
    network.setPublicAddress(c.host() + ":" + c.port());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    c.kubernetesService()
        .ifPresentOrElse(
            service ->
                join.getKubernetesConfig()
                    .setEnabled(true)
                    .setProperty("service-dns", service)
                    .setProperty("service-port", Integer.toString(c.port())),
            () -> join.getTcpIpConfig().setEnabled(true).setMembers(c.members()));
    return config;
  }

  private static String address(String host) {
    try {
      return InetAddress.getByName(host).getHostAddress();
    } catch (UnknownHostException e) {
      throw new ClusterJoinException(
          "SA01_CLUSTER_HOST " + host + " does not resolve to an address of this machine", e);
    }
  }

  private static void announce(HazelcastInstance hazelcast, ClusterConfig c) {
    int size = hazelcast.getCluster().getMembers().size();
    String self = c.host() + ":" + c.port();
    boolean othersNamed =
        c.kubernetesService().isPresent()
            || c.members().stream().anyMatch(member -> !member.equals(self));
    if (size == 1 && othersNamed) {
      LOG.warn(
          "this node started the cluster alone: none of {} answered (it is the first node, or"
              + " the others cannot be reached)",
          through(c));
    } else {
      LOG.info("joined the cluster through {}: {} node(s)", through(c), size);
    }
    // in our words, since Hazelcast's own log is kept to warnings
    MembershipChanges.listen(
        hazelcast,
        added ->
            LOG.info(
                "node {} joined the cluster: {} node(s)",
                added.getMember().getAddress(),
                added.getMembers().size()),
        removed ->
            LOG.warn(
                "node {} left the cluster: {} node(s)",
                removed.getMember().getAddress(),
                removed.getMembers().size()));
  }

  private static String through(ClusterConfig c) {
    return c.kubernetesService()
        .map(s -> "the Kubernetes service " + s)
        .orElse(String.join(",", c.members()));
  }

  private static String seconds(ClusterConfig c) {
    return c.joinTimeout().toSeconds() + " s (SA01_CLUSTER_JOIN_TIMEOUT_SECONDS)";
  }
}
