package dev.soma.resilience.deploy;

import static dev.soma.resilience.deploy.DeploymentFiles.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.deploy.DeploymentFiles.Node;
import dev.soma.resilience.testing.DebianTool;
import io.vertx.core.json.JsonObject;
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
import org.junit.jupiter.api.Test;

/**
 * {@code docker/compose.yaml} runs PostgreSQL, Kafka, Redis and two service nodes clustered by
 * TCP-IP join, each checked for health, and Debian's {@code docker-compose} (1.29, found or
 * installed with {@link DebianTool}; the test fails without it) accepts it. Its probes' routes and
 * ports, and its settings, are held to the running service by {@link DeploymentFilesIT}. Nothing
 * here runs a container: this machine has no engine.
 */
class ComposeFileTest {

  @Test
  void aNodeIsHealthyWhenItIsReady() {
    assertThat(DeploymentFiles.composeNodes().keySet())
        .allSatisfy(
            node ->
                assertThat(DeploymentFiles.composeHealthCheck(node).path())
                    .as(node)
                    .isEqualTo("/health/ready"));
  }

  @Test
  void debiansDockerComposeAcceptsTheFile() throws Exception {
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
  void runsTwoNodesThatNameEachOtherAsClusterMembers() {
    Map<String, JsonObject> trees = new HashMap<>();
    DeploymentFiles.composeNodes()
        .keySet()
        .forEach(
            name -> trees.put(name, DeploymentFiles.settings(DeploymentFiles.composeNode(name))));
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
  void checksEveryServicesHealthAndStartsNodesOnHealthyDependencies() {
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
  void nodesHealthChecksUseCurlWhichTheImageInstalls() {
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
  void nodesHaveTheirOwnHostPortAndStopAfterTheServicesGrace() {
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
                  .isGreaterThan(
                      Duration.ofSeconds(
                          DeploymentFiles.settings(env).getInteger("shutdownGraceSeconds")));
            });

    assertThat(hostPorts).hasSize(DeploymentFiles.composeNodes().size());
  }

  /** A compose duration such as {@code 45s} or {@code 1m30s}. */
  private static Duration composeDuration(String value) {
    return Duration.parse("PT" + value.toUpperCase(Locale.ROOT));
  }
}
