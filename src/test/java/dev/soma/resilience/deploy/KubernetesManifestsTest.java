package dev.soma.resilience.deploy;

import static dev.soma.resilience.deploy.DeploymentFiles.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.deploy.DeploymentFiles.Probe;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The manifests in {@code deploy/k8s/} run two replicas that find each other through a headless
 * Service, with the probes, grace, resources and Secret the service needs, behind an HTTP Service
 * and a PodDisruptionBudget that select its pods. The probes' routes and ports, and the settings,
 * are held to the running service by {@link DeploymentFilesIT}. Nothing here runs on a cluster:
 * there is none on this machine, so no API server validates the objects' schema.
 */
class KubernetesManifestsTest {

  @Test
  void startupAndLivenessAskLivenessAndReadinessAsksReadiness() {
    Map<String, Probe> probes = DeploymentFiles.kubernetesProbes();

    assertThat(probes).containsOnlyKeys("startupProbe", "livenessProbe", "readinessProbe");
    assertThat(probes.get("startupProbe").path()).isEqualTo("/health/live");
    assertThat(probes.get("livenessProbe").path()).isEqualTo("/health/live");
    assertThat(probes.get("readinessProbe").path()).isEqualTo("/health/ready");
  }

  @Test
  void runsTwoReplicasThatFindEachOtherThroughTheHeadlessService() {
    Map<String, Object> deployment =
        DeploymentFiles.kubernetesObject("Deployment", "soma-resilience");
    JsonObject cluster =
        DeploymentFiles.settings(DeploymentFiles.kubernetesNode()).getJsonObject("cluster");
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
            DeploymentFiles.settings(DeploymentFiles.kubernetesNode())
                .getJsonObject("eventbus")
                .getInteger("port"))
        .isPositive();
  }

  @Test
  void servicesAndTheBudgetSelectTheDeploymentsPods() {
    Map<String, Object> labels =
        DeploymentFiles.map(
            at(
                DeploymentFiles.kubernetesObject("Deployment", "soma-resilience"),
                "spec.template.metadata.labels"));
    Map<String, Object> http = DeploymentFiles.kubernetesObject("Service", "soma-resilience");
    Map<String, Object> budget =
        DeploymentFiles.kubernetesObject("PodDisruptionBudget", "soma-resilience");

    for (Map<String, Object> selector :
        List.of(
            DeploymentFiles.map(at(http, "spec.selector")),
            DeploymentFiles.map(
                at(
                    DeploymentFiles.kubernetesObject("Service", "soma-resilience-cluster"),
                    "spec.selector")),
            DeploymentFiles.map(at(budget, "spec.selector.matchLabels")))) {
      assertThat(labels).containsAllEntriesOf(selector);
    }
    assertThat(at(budget, "spec.minAvailable")).isEqualTo(1);
    @SuppressWarnings("unchecked")
    Map<String, Object> httpPort = (Map<String, Object>) ((List<?>) at(http, "spec.ports")).get(0);
    assertThat(DeploymentFiles.containerPort(httpPort.get("targetPort")))
        .isEqualTo(ServiceConfig.load(DeploymentFiles.kubernetesNode().env()).httpPort());
  }

  @Test
  void leavesTheServiceItsWholeShutdownGrace() {
    Object podGrace =
        at(
            DeploymentFiles.kubernetesObject("Deployment", "soma-resilience"),
            "spec.template.spec.terminationGracePeriodSeconds");

    assertThat((Integer) podGrace)
        .isGreaterThan(
            DeploymentFiles.settings(DeploymentFiles.kubernetesNode())
                .getInteger("shutdownGraceSeconds"));
  }

  @Test
  void readsTheDependenciesAndTheAdminTokenFromASecretThatIsNotInTheRepository() {
    for (String name :
        List.of(
            "SA01_DATABASE_URL",
            "SA01_KAFKA_BOOTSTRAP_SERVERS",
            "SA01_REDIS_URL",
            "SA01_ADMIN_TOKEN")) {
      assertThat(envSource(name)).as(name).isEqualTo("secret soma-resilience");
    }
    assertThat(DeploymentFiles.kubernetesObjects())
        .extracting(o -> o.get("kind"))
        .doesNotContain("Secret");
  }

  @Test
  void theContainerHasResourceRequestsAndLimits() {
    for (String bound : List.of("requests", "limits")) {
      assertThat(DeploymentFiles.map(at(DeploymentFiles.container(), "resources." + bound)))
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

  /** Where the container's variable {@code name} comes from: a pod field or a Secret. */
  @SuppressWarnings("unchecked")
  private static String envSource(String name) {
    for (Object item : (List<Object>) DeploymentFiles.container().get("env")) {
      Map<String, Object> entry = DeploymentFiles.map(item);
      if (name.equals(entry.get("name"))) {
        Object field = at(entry, "valueFrom.fieldRef.fieldPath");
        if (field != null) {
          return (String) field;
        }
        // an optional key would start the pod without it: compose refuses the same way
        return Boolean.TRUE.equals(at(entry, "valueFrom.secretKeyRef.optional"))
            ? "optional secret " + at(entry, "valueFrom.secretKeyRef.name")
            : "secret " + at(entry, "valueFrom.secretKeyRef.name");
      }
    }
    throw new AssertionError("the container does not set " + name);
  }
}
