package dev.soma.resilience.deploy;

import dev.soma.resilience.config.ConfigSource;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment files as the tests read them: the image ({@code docker/Dockerfile}), the compose
 * file and the Kubernetes manifests, parsed with SnakeYAML. A node's environment is what the
 * service would see in its container: the image's {@code ENV} overlaid with the file's own, with
 * placeholders for what only a running cluster knows (secrets, the pod's IP and namespace) and
 * Kubernetes' {@code $(VAR)} references expanded.
 */
final class DeploymentFiles {

  static final Path DOCKERFILE = Path.of("docker/Dockerfile");

  /** The build context's ignore file: compose builds the image from the repository root. */
  static final Path DOCKERIGNORE = Path.of(".dockerignore");

  static final Path COMPOSE = Path.of("docker/compose.yaml");
  static final Path KUBERNETES = Path.of("deploy/k8s");
  static final Path KUSTOMIZATION = KUBERNETES.resolve("kustomization.yaml");

  /** Values standing for the Secret's keys; a key without one fails loudly. */
  static final Map<String, String> SECRET_PLACEHOLDERS =
      Map.of(
          "SA01_DATABASE_URL", "postgresql://soma:placeholder@postgres:5432/soma",
          "SA01_KAFKA_BOOTSTRAP_SERVERS", "kafka-0.kafka:9092,kafka-1.kafka:9092",
          "SA01_REDIS_URL", "redis://redis:6379",
          "SA01_ADMIN_TOKEN", "placeholder-admin-token");

  /** Values standing for the downward API's fields. */
  static final Map<String, String> FIELD_PLACEHOLDERS =
      Map.of("status.podIP", "10.1.2.3", "metadata.namespace", "soma");

  private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  /** Compose's {@code ${VAR}}, {@code ${VAR:?message}} and the like: a value from outside. */
  static final Pattern COMPOSE_VARIABLE =
      Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:[:?-][^}]*)?}");

  private static final Pattern HTTP_CHECK =
      Pattern.compile("http://localhost:(\\d+|\\$\\{(\\w+)\\})(/[\\w/.-]*)");

  private DeploymentFiles() {}

  /** One node's environment as the service sees it, and where it comes from. */
  record Node(String source, Map<String, String> env) {
    @Override
    public String toString() {
      return source; // not the environment: it holds the Secret's placeholders
    }
  }

  /** A health check of a deployment file: the path and port it asks. */
  record Probe(String source, String path, int port, Node node) {
    @Override
    public String toString() {
      return source + ": " + path + " on port " + port;
    }
  }

  // ---- the image

  /** The image's {@code ENV}, with {@code SA01_CONFIG_FILE} pointing at the file it copies. */
  static Map<String, String> imageEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    Map<String, String> copies = new LinkedHashMap<>();
    for (String line : read(DOCKERFILE).split("\n")) {
      String[] words = line.trim().split("\\s+");
      if (words.length == 2 && words[0].equals("ENV") && words[1].contains("=")) {
        env.put(
            words[1].substring(0, words[1].indexOf('=')),
            words[1].substring(words[1].indexOf('=') + 1));
      } else if (words.length == 3 && words[0].equals("COPY")) {
        copies.put(words[2], words[1]);
      }
    }
    String configFile = env.get("SA01_CONFIG_FILE");
    if (configFile != null) {
      String source = copies.get(configFile);
      if (source == null) {
        throw new AssertionError("the image names " + configFile + " but does not copy it");
      }
      env.put("SA01_CONFIG_FILE", source);
    }
    return env;
  }

  /** What the image copies from its build context, in order. */
  static List<String> imageCopySources() {
    return read(DOCKERFILE)
        .lines()
        .map(line -> line.trim().split("\\s+"))
        .filter(words -> words.length == 3 && words[0].equals("COPY"))
        .map(words -> words[1])
        .toList();
  }

  /** The user the image's entry point runs as: its last {@code USER}, or root without one. */
  static String imageUser() {
    return read(DOCKERFILE)
        .lines()
        .filter(line -> line.startsWith("USER "))
        .reduce((first, last) -> last)
        .map(line -> line.substring("USER ".length()).trim())
        .orElse("root");
  }

  /** The image's own HEALTHCHECK. */
  static Probe imageHealthCheck() {
    String line =
        read(DOCKERFILE)
            .lines()
            .filter(l -> l.startsWith("HEALTHCHECK"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("the image has no HEALTHCHECK"));
    Node node = new Node(DOCKERFILE.toString(), imageEnv());
    return httpCheck(DOCKERFILE + " HEALTHCHECK", line, node);
  }

  // ---- the compose file

  /** Every compose service, by name. */
  @SuppressWarnings("unchecked")
  static Map<String, Map<String, Object>> composeServices() {
    return (Map<String, Map<String, Object>>) yaml(COMPOSE).get("services");
  }

  /** The compose services that run the service (those built from the image). */
  static Map<String, Map<String, Object>> composeNodes() {
    Map<String, Map<String, Object>> nodes = new LinkedHashMap<>();
    composeServices()
        .forEach(
            (name, service) -> {
              if (service.containsKey("build")) {
                nodes.put(name, service);
              }
            });
    return nodes;
  }

  /**
   * The environment of the compose service {@code name}, over the image's, with the placeholders of
   * {@link #SECRET_PLACEHOLDERS} for the variables it takes from outside ({@code ${VAR}}).
   */
  static Node composeNode(String name) {
    Map<String, String> env = new LinkedHashMap<>(imageEnv());
    composeEnvironment(name).forEach((k, v) -> env.put(k, interpolate(v)));
    return new Node(COMPOSE + " " + name, env);
  }

  /** The compose service's own {@code environment}, as written in the file. */
  static Map<String, String> composeEnvironment(String name) {
    Map<String, String> env = new LinkedHashMap<>();
    Object environment = composeServices().get(name).get("environment");
    if (environment instanceof Map<?, ?> map) {
      map.forEach((k, v) -> env.put(String.valueOf(k), String.valueOf(v)));
    } else if (environment instanceof List<?> list) {
      for (Object entry : list) {
        String pair = String.valueOf(entry);
        env.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
      }
    }
    return env;
  }

  private static String interpolate(String value) {
    Matcher m = COMPOSE_VARIABLE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String placeholder = SECRET_PLACEHOLDERS.get(m.group(1));
      if (placeholder == null) {
        throw new AssertionError("no placeholder for the compose variable " + m.group(1));
      }
      m.appendReplacement(out, Matcher.quoteReplacement(placeholder));
    }
    return m.appendTail(out).toString();
  }

  /** The compose service's health check, if it asks an HTTP path on localhost. */
  @SuppressWarnings("unchecked")
  static Probe composeHealthCheck(String name) {
    Map<String, Object> check =
        (Map<String, Object>) composeServices().get(name).get("healthcheck");
    if (check == null) {
      throw new AssertionError(name + " has no healthcheck");
    }
    return httpCheck(
        COMPOSE + " " + name + " healthcheck",
        String.valueOf(check.get("test")),
        composeNode(name));
  }

  // ---- the Kubernetes manifests

  /** Every object of every manifest (the kustomization is not an object). */
  static List<Map<String, Object>> kubernetesObjects() {
    List<Map<String, Object>> objects = new ArrayList<>();
    for (Path file : kubernetesFiles()) {
      for (Object document : new Yaml().loadAll(read(file))) {
        if (document != null) {
          objects.add(asMap(document, file.toString()));
        }
      }
    }
    return objects;
  }

  /** The manifest files, without the kustomization. */
  static List<Path> kubernetesFiles() {
    try (Stream<Path> files = Files.list(KUBERNETES)) {
      return files
          .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
          .filter(f -> !f.equals(KUSTOMIZATION))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Map<String, Object> kubernetesObject(String kind, String name) {
    return kubernetesObjects().stream()
        .filter(o -> kind.equals(o.get("kind")) && name.equals(at(o, "metadata.name")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
  }

  /** The Deployment's only container. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> container() {
    List<Object> containers =
        (List<Object>)
            at(kubernetesObject("Deployment", "soma-resilience"), "spec.template.spec.containers");
    if (containers.size() != 1) {
      throw new AssertionError("the Deployment should have one container: " + containers.size());
    }
    return asMap(containers.get(0), "container");
  }

  /** The Deployment's container's environment over the image's, placeholders for the cluster's. */
  @SuppressWarnings("unchecked")
  static Node kubernetesNode() {
    Map<String, String> env = new LinkedHashMap<>(imageEnv());
    Map<String, String> defined = new LinkedHashMap<>();
    for (Object item : (List<Object>) container().get("env")) {
      Map<String, Object> entry = asMap(item, "env entry");
      String name = (String) entry.get("name");
      Object value = entry.get("value");
      if (value != null) {
        if (!(value instanceof String text)) {
          throw new AssertionError(name + ": Kubernetes takes only strings, but was " + value);
        }
        defined.put(name, expand(text, defined));
      } else if (at(entry, "valueFrom.secretKeyRef.key") instanceof String key) {
        String placeholder = SECRET_PLACEHOLDERS.get(key);
        if (placeholder == null) {
          throw new AssertionError("no placeholder for the Secret's key " + key);
        }
        defined.put(name, placeholder);
      } else if (at(entry, "valueFrom.fieldRef.fieldPath") instanceof String field) {
        String placeholder = FIELD_PLACEHOLDERS.get(field);
        if (placeholder == null) {
          throw new AssertionError("no placeholder for the pod's field " + field);
        }
        defined.put(name, placeholder);
      } else {
        throw new AssertionError(name + ": neither a value, a Secret's key nor a pod field");
      }
    }
    env.putAll(defined);
    return new Node(KUBERNETES.resolve("deployment.yaml").toString(), env);
  }

  /** The container's startup, liveness and readiness probes that are set, by name. */
  static Map<String, Probe> kubernetesProbes() {
    Map<String, Probe> probes = new LinkedHashMap<>();
    Node node = kubernetesNode();
    for (String kind : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      Object path = at(container(), kind + ".httpGet.path");
      if (path != null) {
        Object port = at(container(), kind + ".httpGet.port");
        probes.put(
            kind, new Probe(node.source() + " " + kind, (String) path, containerPort(port), node));
      }
    }
    return probes;
  }

  /** A container port given by number or by name. */
  @SuppressWarnings("unchecked")
  static int containerPort(Object port) {
    if (port instanceof Integer number) {
      return number;
    }
    for (Object item : (List<Object>) container().get("ports")) {
      Map<String, Object> declared = asMap(item, "port");
      if (String.valueOf(port).equals(declared.get("name"))) {
        return (Integer) declared.get("containerPort");
      }
    }
    throw new AssertionError("the container has no port named " + port);
  }

  // ---- all files

  /** Every {@code SA01_*} name written anywhere in the compose file or the manifests. */
  static List<String> settingNames() {
    List<Path> files = new ArrayList<>(kubernetesFiles());
    files.add(KUSTOMIZATION);
    files.add(COMPOSE);
    List<String> names = new ArrayList<>();
    for (Path file : files) {
      Matcher m = Pattern.compile("SA01_[A-Z0-9_]+").matcher(read(file));
      while (m.find()) {
        names.add(m.group());
      }
    }
    return names;
  }

  /** The value at a dotted path of nested maps, or null. */
  static Object at(Map<String, Object> root, String path) {
    Object current = root;
    for (String key : path.split("\\.")) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(key);
    }
    return current;
  }

  static Map<String, Object> yaml(Path file) {
    return asMap(new Yaml().load(read(file)), file.toString());
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Probe httpCheck(String source, String command, Node node) {
    Matcher m = HTTP_CHECK.matcher(command);
    if (!m.find()) {
      throw new AssertionError(source + " asks no http://localhost:PORT/PATH: " + command);
    }
    String port = m.group(2) == null ? m.group(1) : node.env().get(m.group(2));
    if (port == null) {
      throw new AssertionError(source + " uses " + m.group(2) + ", which the node does not set");
    }
    return new Probe(source, m.group(3), Integer.parseInt(port), node);
  }

  /** Kubernetes' {@code $(VAR)}: a variable defined earlier in the container's list, else as is. */
  private static String expand(String value, Map<String, String> defined) {
    Matcher m = REFERENCE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement = defined.getOrDefault(m.group(1), m.group());
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    return m.appendTail(out).toString();
  }

  /** The raw settings tree of a node (for settings {@code ServiceConfig} does not carry yet). */
  static JsonObject settings(Node node) {
    return ConfigSource.load(node.env());
  }

  /** A YAML mapping, or an assertion error. */
  static Map<String, Object> map(Object value) {
    return asMap(value, "the value");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object value, String what) {
    if (!(value instanceof Map<?, ?>)) {
      throw new AssertionError(what + " is not a YAML mapping: " + value);
    }
    return (Map<String, Object>) value;
  }
}
