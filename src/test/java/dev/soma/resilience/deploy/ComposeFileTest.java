package dev.soma.resilience.deploy;

import static dev.soma.resilience.deploy.DeploymentFiles.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.deploy.DeploymentFiles.Node;
import dev.soma.resilience.testing.DebianTool;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * TCP-IP join, each checked for health, with the admin token taken from outside the repository, and
 * Debian's {@code docker-compose} (1.29, found or installed with {@link DebianTool}; the test fails
 * without it) accepts it, but not without the token. The image it builds runs as the Kubernetes
 * pod's unprivileged user, from a build context of only what it copies. Its probes' routes and
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
  void debiansDockerComposeAcceptsTheFileWhenTheAdminTokenIsSet() throws Exception {
    Checked checked = dockerComposeConfig("a-token-of-sixteen-characters");

    assertThat(checked.exit()).as(checked.output()).isZero();
  }

  @Test
  void composeRefusesToStartTheNodesWithoutAnAdminToken() throws Exception {
    Checked checked = dockerComposeConfig(null);

    assertThat(checked.exit()).as(checked.output()).isNotZero();
    assertThat(checked.output()).contains("set SA01_ADMIN_TOKEN");
  }

  @Test
  void everyNodesAdminTokenComesFromOutsideTheRepository() {
    assertThat(DeploymentFiles.composeNodes().keySet())
        .allSatisfy(
            name ->
                assertThat(DeploymentFiles.composeEnvironment(name).get("SA01_ADMIN_TOKEN"))
                    .as(name)
                    .matches("\\$\\{SA01_ADMIN_TOKEN:\\?[^}]+}"));
    assertThat(DeploymentFiles.read(Path.of(".gitignore"))).contains("docker/.env");
  }

  @Test
  void theBuildContextSendsOnlyWhatTheImageCopies() {
    Object context = at(DeploymentFiles.composeNodes().values().iterator().next(), "build.context");
    assertThat(
            DeploymentFiles.COMPOSE
                .toAbsolutePath()
                .getParent()
                .resolve(String.valueOf(context))
                .normalize())
        .as("the build context")
        .isEqualTo(DeploymentFiles.DOCKERIGNORE.toAbsolutePath().getParent());
    List<String> rules =
        DeploymentFiles.read(DeploymentFiles.DOCKERIGNORE)
            .lines()
            .map(String::trim)
            .filter(line -> !line.isEmpty() && !line.startsWith("#"))
            .toList();

    assertThat(rules).first().as("everything is left out").isEqualTo("*");
    assertThat(rules.subList(1, rules.size()))
        .as("then let in again")
        .containsExactlyInAnyOrderElementsOf(
            DeploymentFiles.imageCopySources().stream().map(source -> "!" + source).toList());
  }

  @Test
  void theImageRunsAsTheUnprivilegedUserOfTheKubernetesPodAndOwnsItsDataDirectory() {
    Map<String, Object> pod =
        DeploymentFiles.map(
            at(
                DeploymentFiles.kubernetesObject("Deployment", "soma-resilience"),
                "spec.template.spec.securityContext"));
    String user = DeploymentFiles.imageUser();

    assertThat(user)
        .as("numeric, so that an orchestrator can tell it is not root")
        .isEqualTo(pod.get("runAsUser") + ":" + pod.get("runAsGroup"))
        .doesNotStartWith("0:");
    String dataDir = DeploymentFiles.imageEnv().get("SA01_DATA_DIR");
    assertThat(DeploymentFiles.read(DeploymentFiles.DOCKERFILE))
        .contains("mkdir -p " + dataDir)
        .contains("chown " + user + " " + dataDir);
    DeploymentFiles.composeNodes()
        .keySet()
        .forEach(
            name ->
                assertThat(DeploymentFiles.composeNode(name).env().get("SA01_DATA_DIR"))
                    .as("%s's data directory, a volume that starts out as the image's", name)
                    .isEqualTo(dataDir));
  }

  private record Checked(int exit, String output) {}

  /**
   * {@code docker-compose config -q} on the file, with {@code adminToken} as SA01_ADMIN_TOKEN
   * (null: unset) and an empty env file, so that no developer's {@code docker/.env} takes part.
   */
  private static Checked dockerComposeConfig(String adminToken) throws Exception {
    Optional<Path> compose = DebianTool.findOrInstall("docker-compose", "docker-compose");
    assertThat(compose)
        .as("docker-compose on the PATH or installed from Debian's docker-compose package")
        .isPresent();
    Path noEnvFile = Files.createTempFile("compose", ".env");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(
                  compose.get().toString(),
                  "--env-file",
                  noEnvFile.toString(),
                  "-f",
                  DeploymentFiles.COMPOSE.toString(),
                  "config",
                  "-q")
              .redirectErrorStream(true);
      builder.environment().remove("SA01_ADMIN_TOKEN");
      if (adminToken != null) {
        builder.environment().put("SA01_ADMIN_TOKEN", adminToken);
      }
      Process process = builder.start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("docker-compose ended").isTrue();
      return new Checked(process.exitValue(), output);
    } finally {
      Files.delete(noEnvFile);
    }
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
