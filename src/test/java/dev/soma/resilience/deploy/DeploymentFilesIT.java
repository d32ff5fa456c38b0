package dev.soma.resilience.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.soma.resilience.Application;
import dev.soma.resilience.config.ConfigSource;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.deploy.DeploymentFiles.Node;
import dev.soma.resilience.deploy.DeploymentFiles.Probe;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The deployment files ({@code docker/}, {@code deploy/k8s/}) fit the service they deploy: every
 * probe asks a real route on the port its node serves HTTP on, and that route answers 200 on the
 * real service (started here with the Kubernetes manifest's environment against real PostgreSQL,
 * Kafka and Redis, one node: the test cannot form the manifest's Kubernetes cluster); every {@code
 * SA01_*} name is a setting and the service accepts every node's environment. The files' own
 * structure: {@link ComposeFileTest}, {@link KubernetesManifestsTest}.
 */
@ExtendWith(TestServices.class)
class DeploymentFilesIT {

  /** Settings the running test service must take from the test, not the manifest. */
  private static final Set<String> TEST_OWNS =
      Set.of(
          "SA01_DATABASE_URL",
          "SA01_KAFKA_BOOTSTRAP_SERVERS",
          "SA01_REDIS_URL",
          "SA01_HTTP_PORT",
          "SA01_DATA_DIR");

  private static Application app;
  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void startTheServiceWithTheManifestsEnvironment() throws Exception {
    Map<String, String> env = new HashMap<>(DeploymentFiles.kubernetesNode().env());
    env.keySet().removeAll(TEST_OWNS);
    // no Kubernetes DNS to join through here: one node, alone (which refuses cluster settings)
    env.keySet().removeIf(name -> name.startsWith("SA01_CLUSTER_"));
    app = Application.start(OutboxFixture.wholeService("deploy", env), Application.Role.SERVICE);
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  // ---- probes

  @Test
  void everyProbeAsksARouteTheServiceServesWithGet() {
    Set<String> routes = new TreeSet<>();
    for (Route route : app.httpRoutes()) {
      if (route.getPath() != null && route.methods() != null) {
        if (route.methods().contains(HttpMethod.GET)) {
          routes.add(route.getPath());
        }
      }
    }

    assertThat(probes())
        .isNotEmpty()
        .allSatisfy(probe -> assertThat(routes).as(probe.source()).contains(probe.path()));
  }

  @Test
  void everyProbeIsAnswered200ByTheRunningService() throws Exception {
    for (Probe probe : probes()) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + app.httpPort() + probe.path()))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).as(probe.source() + ": " + response.body()).isEqualTo(200);
    }
  }

  @Test
  void everyProbeAsksThePortItsNodeServesHttpOn() {
    assertThat(probes())
        .allSatisfy(
            probe ->
                assertThat(probe.port())
                    .as(probe.source())
                    .isEqualTo(ServiceConfig.load(probe.node().env()).httpPort()));
  }

  // ---- settings

  @Test
  void everySa01NameInTheFilesIsASetting() {
    Set<String> settings = new TreeSet<>();
    collectLeaves(ConfigSource.load(Map.of()), "", settings);

    assertThat(DeploymentFiles.settingNames())
        .isNotEmpty()
        .allSatisfy(name -> assertThat(settings).as("settings").contains(name));
  }

  @Test
  void theServiceAcceptsEveryNodesEnvironment() {
    assertThat(nodes())
        .hasSize(3)
        .allSatisfy(
            node ->
                assertThatCode(() -> ServiceConfig.load(node.env()))
                    .as(node.source())
                    .doesNotThrowAnyException());
  }

  @Test
  void everyNodeHasTheAdminApiOn() {
    assertThat(nodes())
        .allSatisfy(
            node ->
                assertThat(ServiceConfig.load(node.env()).api().adminToken().isSet())
                    .as(node.source())
                    .isTrue());
  }

  // ---- helpers

  private static List<Probe> probes() {
    List<Probe> probes = new ArrayList<>(DeploymentFiles.kubernetesProbes().values());
    DeploymentFiles.composeNodes()
        .keySet()
        .forEach(name -> probes.add(DeploymentFiles.composeHealthCheck(name)));
    probes.add(DeploymentFiles.imageHealthCheck());
    return probes;
  }

  private static List<Node> nodes() {
    List<Node> nodes = new ArrayList<>();
    nodes.add(DeploymentFiles.kubernetesNode());
    DeploymentFiles.composeNodes()
        .keySet()
        .forEach(name -> nodes.add(DeploymentFiles.composeNode(name)));
    return nodes;
  }

  private static void collectLeaves(JsonObject node, String prefix, Set<String> names) {
    for (String key : node.fieldNames()) {
      String path = prefix.isEmpty() ? key : prefix + "." + key;
      if (node.getValue(key) instanceof JsonObject child) {
        collectLeaves(child, path, names);
      } else {
        names.add(ConfigSource.envName(path));
      }
    }
  }
}
