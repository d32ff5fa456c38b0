package dev.soma.resilience.deploy;

import static dev.soma.resilience.deploy.DeploymentFiles.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.soma.resilience.Application;
import dev.soma.resilience.config.ConfigSource;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.deploy.DeploymentFiles.Node;
import dev.soma.resilience.deploy.DeploymentFiles.Probe;
import dev.soma.resilience.testing.DebianTool;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The deployment files ({@code docker/}, {@code deploy/k8s/}) fit the service they deploy: every
 * probe asks a real route on the port its node serves HTTP on, and that route answers 200 on the
 * real service (started here with the Kubernetes manifest's environment against real PostgreSQL,
 * Kafka and Redis, one node: the test cannot form the manifest's Kubernetes cluster); every {@code
 * SA01_*} name is a setting and the service accepts every node's environment; Debian's {@code
 * docker-compose} accepts the compose file; the cluster's, shutdown's and secrets' wiring is as the
 * brief of issue 15 asks. Nothing here runs a container: this machine has no engine.
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
    env.put("SA01_CLUSTER_ENABLED", "false"); // no Kubernetes DNS to join through here
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

  @Test
  void kubernetesStartsAndKeepsAliveOnLivenessAndRoutesOnReadiness() {
    Map<String, Probe> probes = DeploymentFiles.kubernetesProbes();

    assertThat(probes).containsOnlyKeys("startupProbe", "livenessProbe", "readinessProbe");
    assertThat(probes.get("startupProbe").path()).isEqualTo("/health/live");
    assertThat(probes.get("livenessProbe").path()).isEqualTo("/health/live");
    assertThat(probes.get("readinessProbe").path()).isEqualTo("/health/ready");
    assertThat(DeploymentFiles.composeNodes().keySet())
        .allSatisfy(
            node ->
                assertThat(DeploymentFiles.composeHealthCheck(node).path())
                    .as("compose's %s is healthy when ready", node)
                    .isEqualTo("/health/ready"));
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

  // ---- compose

  @Test
  void debiansDockerComposeAcceptsTheComposeFile() throws Exception {
    Optional<Path> compose = DebianTool.findOrInstall("docker-compose", "docker-compose");
    assertThat(compose)
        .as("docker-compose on the PATH or installed from Debian's docker-compose package")
        .isPresent();

    Process process =
        new ProcessBuilder(
                compose.get().toString(), "-f", DeploymentFiles.COMPOSE.toString(), "config", "-q")
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("docker-compose ended").isTrue();
    assertThat(process.exitValue()).as(output).isZero();
  }

  @Test
  void composeRunsTwoNodesThatNameEachOtherAsClusterMembers() {
    Map<String, JsonObject> trees = new HashMap<>();
    DeploymentFiles.composeNodes()
        .keySet()
        .forEach(name -> trees.put(name, tree(DeploymentFiles.composeNode(name))));
    List<String> addresses = new ArrayList<>();
    trees.forEach(
        (name, tree) ->
            addresses.add(name + ":" + tree.getJsonObject("cluster").getInteger("port")));

    assertThat(trees).hasSize(2);
    trees.forEach(
        (name, tree) -> {
          JsonObject cluster = tree.getJsonObject("cluster");
          assertThat(cluster.getBoolean("enabled")).as(name).isTrue();
          assertThat(cluster.getString("host")).as(name).isEqualTo(name);
          assertThat(DeploymentFiles.composeServices().get(name).get("hostname"))
              .as(name)
              .isIn(null, name);
          assertThat(Arrays.asList(cluster.getString("members").split(",")))
              .as(name)
              .containsExactlyInAnyOrderElementsOf(addresses);
          assertThat(tree.getJsonObject("eventbus").getInteger("port"))
              .as("%s: a fixed event-bus port", name)
              .isPositive();
        });
  }

  @Test
  void composeChecksEveryServicesHealthAndStartsNodesOnHealthyDependencies() {
    Map<String, Map<String, Object>> services = DeploymentFiles.composeServices();
    Set<String> dependencies = new TreeSet<>(services.keySet());
    dependencies.removeAll(DeploymentFiles.composeNodes().keySet());

    assertThat(dependencies).containsExactlyInAnyOrder("postgres", "kafka", "redis");
    services.forEach(
        (name, service) -> assertThat(at(service, "healthcheck.test")).as(name).isNotNull());
    DeploymentFiles.composeNodes()
        .forEach(
            (name, node) ->
                dependencies.forEach(
                    dependency ->
                        assertThat(at(node, "depends_on." + dependency + ".condition"))
                            .as("%s waits for %s", name, dependency)
                            .isEqualTo("service_healthy")));
  }

  @Test
  void composeHealthChecksUseCurlWhichTheImageInstalls() {
    assertThat(DeploymentFiles.read(DeploymentFiles.DOCKERFILE))
        .containsPattern("apt-get install -y --no-install-recommends curl");
    DeploymentFiles.composeNodes()
        .forEach(
            (name, node) ->
                assertThat((List<Object>) at(node, "healthcheck.test"))
                    .as(name)
                    .startsWith("CMD", "curl"));
  }

  @Test
  void composeNodesHaveTheirOwnHostPortAndStopAfterTheServicesGrace() {
    Set<String> hostPorts = new TreeSet<>();
    DeploymentFiles.composeNodes()
        .forEach(
            (name, node) -> {
              Node env = DeploymentFiles.composeNode(name);
              List<?> ports = (List<?>) node.get("ports");
              assertThat(ports).as(name).hasSize(1);
              String[] mapping = String.valueOf(ports.get(0)).split(":");
              assertThat(Integer.parseInt(mapping[1]))
                  .as("%s's container port", name)
                  .isEqualTo(ServiceConfig.load(env.env()).httpPort());
              hostPorts.add(mapping[0]);
              assertThat(composeDuration(String.valueOf(node.get("stop_grace_period"))))
                  .as("%s's stop_grace_period", name)
                  .isGreaterThan(Duration.ofSeconds(tree(env).getInteger("shutdownGraceSeconds")));
            });

    assertThat(hostPorts).hasSize(DeploymentFiles.composeNodes().size());
  }

  // ---- Kubernetes

  @Test
  void kubernetesRunsTwoReplicasThatFindEachOtherThroughTheHeadlessService() {
    Map<String, Object> deployment =
        DeploymentFiles.kubernetesObject("Deployment", "soma-resilience");
    JsonObject cluster = tree(DeploymentFiles.kubernetesNode()).getJsonObject("cluster");
    String dns = cluster.getString("kubernetesService");
    Map<String, Object> headless =
        DeploymentFiles.kubernetesObject("Service", dns.substring(0, dns.indexOf('.')));

    assertThat(at(deployment, "spec.replicas")).isEqualTo(2);
    assertThat(cluster.getBoolean("enabled")).isTrue();
    assertThat(dns).isEqualTo("soma-resilience-cluster.soma.svc.cluster.local");
    assertThat(at(headless, "spec.clusterIP")).isEqualTo("None");
    assertThat(at(headless, "spec.publishNotReadyAddresses")).isEqualTo(true);
    assertThat((List<?>) at(headless, "spec.ports"))
        .singleElement()
        .satisfies(
            port -> {
              @SuppressWarnings("unchecked")
              Map<String, Object> p = (Map<String, Object>) port;
              assertThat(p.get("port")).isEqualTo(cluster.getInteger("port"));
              assertThat(DeploymentFiles.containerPort(p.get("targetPort")))
                  .isEqualTo(cluster.getInteger("port"));
            });
    assertThat(envSource("SA01_CLUSTER_HOST")).isEqualTo("status.podIP");
    assertThat(DeploymentFiles.containerPort("eventbus"))
        .isEqualTo(
            tree(DeploymentFiles.kubernetesNode()).getJsonObject("eventbus").getInteger("port"))
        .isPositive();
  }

  @Test
  void kubernetesServicesAndTheBudgetSelectTheDeploymentsPods() {
    Map<String, Object> labels =
        asMap(
            at(
                DeploymentFiles.kubernetesObject("Deployment", "soma-resilience"),
                "spec.template.metadata.labels"));
    Map<String, Object> http = DeploymentFiles.kubernetesObject("Service", "soma-resilience");
    Map<String, Object> budget =
        DeploymentFiles.kubernetesObject("PodDisruptionBudget", "soma-resilience");

    for (Map<String, Object> selector :
        List.of(
            asMap(at(http, "spec.selector")),
            asMap(
                at(
                    DeploymentFiles.kubernetesObject("Service", "soma-resilience-cluster"),
                    "spec.selector")),
            asMap(at(budget, "spec.selector.matchLabels")))) {
      assertThat(labels).containsAllEntriesOf(selector);
    }
    assertThat(at(budget, "spec.minAvailable")).isEqualTo(1);
    @SuppressWarnings("unchecked")
    Map<String, Object> httpPort = (Map<String, Object>) ((List<?>) at(http, "spec.ports")).get(0);
    assertThat(DeploymentFiles.containerPort(httpPort.get("targetPort")))
        .isEqualTo(ServiceConfig.load(DeploymentFiles.kubernetesNode().env()).httpPort());
  }

  @Test
  void kubernetesLeavesTheServiceItsWholeShutdownGrace() {
    Object podGrace =
        at(
            DeploymentFiles.kubernetesObject("Deployment", "soma-resilience"),
            "spec.template.spec.terminationGracePeriodSeconds");

    assertThat((Integer) podGrace)
        .isGreaterThan(tree(DeploymentFiles.kubernetesNode()).getInteger("shutdownGraceSeconds"));
  }

  @Test
  void kubernetesReadsTheDependenciesFromASecretThatIsNotInTheRepository() {
    for (String name :
        List.of("SA01_DATABASE_URL", "SA01_KAFKA_BOOTSTRAP_SERVERS", "SA01_REDIS_URL")) {
      assertThat(envSource(name)).as(name).isEqualTo("secret soma-resilience");
    }
    assertThat(DeploymentFiles.kubernetesObjects())
        .extracting(o -> o.get("kind"))
        .doesNotContain("Secret");
  }

  @Test
  void kubernetesContainerHasResourceRequestsAndLimits() {
    for (String bound : List.of("requests", "limits")) {
      assertThat(asMap(at(DeploymentFiles.container(), "resources." + bound)))
          .as(bound)
          .containsKeys("cpu", "memory");
    }
  }

  @Test
  void theKustomizationListsEveryManifest() {
    List<String> resources =
        ((List<?>) DeploymentFiles.yaml(DeploymentFiles.KUSTOMIZATION).get("resources"))
            .stream().map(String::valueOf).toList();

    assertThat(resources)
        .containsExactlyInAnyOrderElementsOf(
            DeploymentFiles.kubernetesFiles().stream()
                .map(file -> file.getFileName().toString())
                .toList());
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

  /** The raw settings tree (for settings {@link ServiceConfig} does not carry yet). */
  private static JsonObject tree(Node node) {
    return ConfigSource.load(node.env());
  }

  /** Where the container's variable {@code name} comes from: a pod field or a Secret. */
  @SuppressWarnings("unchecked")
  private static String envSource(String name) {
    for (Object item : (List<Object>) DeploymentFiles.container().get("env")) {
      Map<String, Object> entry = asMap(item);
      if (name.equals(entry.get("name"))) {
        Object field = at(entry, "valueFrom.fieldRef.fieldPath");
        return field != null
            ? (String) field
            : "secret " + at(entry, "valueFrom.secretKeyRef.name");
      }
    }
    throw new AssertionError("the container does not set " + name);
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

  /** A compose duration such as {@code 45s} or {@code 1m30s}. */
  private static Duration composeDuration(String value) {
    return Duration.parse("PT" + value.toUpperCase(Locale.ROOT));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object value) {
    assertThat(value).isInstanceOf(Map.class);
    return (Map<String, Object>) value;
  }
}
