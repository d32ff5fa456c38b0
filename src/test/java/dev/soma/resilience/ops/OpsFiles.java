package dev.soma.resilience.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** The operations files shipped in {@code ops/}, and what the tests read from them. */
final class OpsFiles {

  static final Path RULES = Path.of("ops/prometheus/soma-alerts.yml");
  static final Path RULE_TESTS = Path.of("ops/prometheus/tests/soma-alerts.test.yml");
  static final Path DASHBOARD = Path.of("ops/grafana/soma-resilience.json");

  private OpsFiles() {}

  /** Every alerting rule's expression, by alert name. */
  @SuppressWarnings("unchecked")
  static Map<String, String> alertExpressions() {
    Map<String, Object> rules = yaml(RULES);
    Map<String, String> exprs = new LinkedHashMap<>();
    for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
      for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
        exprs.put((String) rule.get("alert"), String.valueOf(rule.get("expr")));
      }
    }
    return exprs;
  }

  /** Every {@code alert_rule_test} case of the promtool test file. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> alertRuleTests() {
    List<Map<String, Object>> cases = new ArrayList<>();
    for (Map<String, Object> test : (List<Map<String, Object>>) yaml(RULE_TESTS).get("tests")) {
      cases.addAll((List<Map<String, Object>>) test.getOrDefault("alert_rule_test", List.of()));
    }
    return cases;
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, Object> yaml(Path file) {
    return new Yaml().load(read(file));
  }
}
