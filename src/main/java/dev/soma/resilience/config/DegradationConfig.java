package dev.soma.resilience.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The degradation monitor's settings (section {@code degradation}); see docs/DEGRADATION.md.
 *
 * @param probeInterval how often each probed dependency is checked (skipped while real traffic
 *     reported an outcome within the last interval)
 * @param probeTimeout a probe that has not answered by then counts as a failure
 * @param evaluationInterval how often windows are re-evaluated (so old outcomes age out)
 * @param window how far back outcomes count for error rate and latency
 * @param thresholds what turns outcomes into a level
 * @param suppressionWindow a repeat of the same level for the same service within this window is
 *     not written to Kafka again (recoveries and critical levels always are)
 * @param historySize how many status changes are kept in memory
 * @param eventsTopic the Kafka topic of status-change events
 * @param eventsTenant the outbox tenant the events are written as
 * @param criticalServices services whose level caps nothing: their critical level is the agent's
 * @param extraDependencies dependencies beyond the built-in ones, by name
 * @param graph which service needs which: {@code node -> "a,b|c"} means the node needs {@code a}
 *     and one of {@code b} or {@code c}; {@code llm.*} stands for every service named {@code
 *     llm.}...
 * @param viewResync how often each node's copy of the status asks the active monitor for its
 *     snapshot even without a sign that it missed a change
 * @throws ConfigException when a duration is not positive (the suppression window may be zero), the
 *     history is empty, the topic is no Kafka topic name, the tenant is empty, or a collection is
 *     missing
 */
public record DegradationConfig(
    Duration probeInterval,
    Duration probeTimeout,
    Duration evaluationInterval,
    Duration window,
    Thresholds thresholds,
    Duration suppressionWindow,
    int historySize,
    String eventsTopic,
    String eventsTenant,
    Set<String> criticalServices,
    List<ExtraDependency> extraDependencies,
    Map<String, String> graph,
    Duration viewResync) {

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
  private static final Pattern REQUIREMENT =
      Pattern.compile("[a-z0-9][a-z0-9._-]*(\\.\\*)?([,|][a-z0-9][a-z0-9._-]*(\\.\\*)?)*");

  /**
   * Level thresholds; a latency or error rate at or above a threshold reaches that level.
   *
   * @param minCalls outcomes needed in the window before the error rate counts at all
   * @param failuresToUnavailable consecutive failures that make a service unavailable (critical)
   */
  public record Thresholds(
      int minCalls,
      int failuresToUnavailable,
      Duration minorLatency,
      Duration moderateLatency,
      Duration severeLatency,
      double moderateErrorRate,
      double severeErrorRate) {

    public Thresholds {
      Require.atLeast("degradation.minCalls", minCalls, 1);
      Require.atLeast("degradation.failuresToUnavailable", failuresToUnavailable, 1);
      Require.positive("degradation.minorLatencyMs", minorLatency);
      Require.notBelow(
          "degradation.moderateLatencyMs",
          moderateLatency,
          "degradation.minorLatencyMs",
          minorLatency);
      Require.notBelow(
          "degradation.severeLatencyMs",
          severeLatency,
          "degradation.moderateLatencyMs",
          moderateLatency);
      if (!(moderateErrorRate > 0 && moderateErrorRate <= 1)) {
        throw ConfigException.invalidSetting(
            "degradation.moderateErrorRatePercent",
            moderateErrorRate * 100,
            "above 0 and at most 100 (percent)");
      }
      if (!(severeErrorRate >= moderateErrorRate && severeErrorRate <= 1)) {
        throw ConfigException.invalidSetting(
            "degradation.severeErrorRatePercent",
            severeErrorRate * 100,
            "from the moderate rate (" + moderateErrorRate * 100 + ") to 100 (percent)");
      }
    }
  }

  /**
   * A dependency declared in {@code degradation.dependencies}: {@code name} alone is judged by the
   * outcomes clients report; {@code name=url} is also probed with a GET (any answer below 500 is
   * reachable); {@code name=} (empty) is shown as not configured.
   */
  public record ExtraDependency(String name, boolean configured, Optional<String> probeUrl) {
    public ExtraDependency {
      if (name == null || !NAME.matcher(name).matches()) {
        throw ConfigException.invalidSetting(
            "degradation.dependencies",
            name,
            "a service name of lower-case letters, digits, '.', '_' and '-'");
      }
      Require.present("degradation.dependencies", probeUrl);
      if (!configured && probeUrl.isPresent()) {
        throw ConfigException.invalidSetting(
            "degradation.dependencies",
            name + "=" + Settings.redact(probeUrl.get()),
            "no probe URL for a dependency that is not configured");
      }
    }
  }

  public DegradationConfig {
    Require.positive("degradation.probeIntervalMs", probeInterval);
    Require.positive("degradation.probeTimeoutMs", probeTimeout);
    Require.positive("degradation.viewResyncMs", viewResync);
    Require.positive("degradation.evaluationIntervalMs", evaluationInterval);
    Require.positive("degradation.windowSeconds", window);
    Require.present("degradation.thresholds", thresholds);
    Require.notNegative("degradation.suppressionWindowSeconds", suppressionWindow);
    Require.atLeast("degradation.historySize", historySize, 1);
    if (eventsTopic == null || !eventsTopic.matches("[a-zA-Z0-9._-]{1,249}")) {
      throw ConfigException.invalidSetting(
          "degradation.eventsTopic", eventsTopic, "a Kafka topic name");
    }
    if (eventsTenant == null || eventsTenant.isEmpty()) {
      throw ConfigException.invalidSetting("degradation.eventsTenant", eventsTenant, "a tenant id");
    }
    Require.present("degradation.criticalServices", criticalServices);
    Require.present("degradation.dependencies", extraDependencies);
    Require.present("degradation.graph", graph);
  }

  static DegradationConfig from(Settings s) {
    int minor = s.intIn("degradation.minorLatencyMs", 1, 3_600_000);
    int moderate = s.intIn("degradation.moderateLatencyMs", minor, 3_600_000);
    int severe = s.intIn("degradation.severeLatencyMs", moderate, 3_600_000);
    int moderateRate = s.intIn("degradation.moderateErrorRatePercent", 1, 100);
    int severeRate = s.intIn("degradation.severeErrorRatePercent", moderateRate, 100);
    return new DegradationConfig(
        s.duration("degradation.probeIntervalMs", 50, 3_600_000),
        s.duration("degradation.probeTimeoutMs", 10, 600_000),
        s.duration("degradation.evaluationIntervalMs", 50, 600_000),
        s.duration("degradation.windowSeconds", 1, 86_400),
        new Thresholds(
            s.intIn("degradation.minCalls", 1, 100_000),
            s.intIn("degradation.failuresToUnavailable", 1, 1000),
            Duration.ofMillis(minor),
            Duration.ofMillis(moderate),
            Duration.ofMillis(severe),
            moderateRate / 100.0,
            severeRate / 100.0),
        s.duration("degradation.suppressionWindowSeconds", 0, 86_400),
        s.intIn("degradation.historySize", 1, 100_000),
        s.string("degradation.eventsTopic"),
        s.string("degradation.eventsTenant"),
        Set.copyOf(names("degradation.criticalServices", s.string("degradation.criticalServices"))),
        extraDependencies(s.string("degradation.dependencies")),
        graph(s.strings("degradation.graph")),
        s.duration("degradation.viewResyncMs", 100, 3_600_000));
  }

  private static List<String> names(String path, String list) {
    List<String> names = Settings.entries(list);
    for (String name : names) {
      if (!NAME.matcher(name).matches()) {
        throw ConfigException.invalidSetting(
            path, name, "a service name of lower-case letters, digits, '.', '_' and '-'");
      }
    }
    return names;
  }

  private static List<ExtraDependency> extraDependencies(String list) {
    String path = "degradation.dependencies";
    List<ExtraDependency> result = new ArrayList<>();
    for (String part : list.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      String[] nameAndUrl = part.trim().split("=", 2);
      String name =
          names(path, nameAndUrl[0]).stream()
              .findFirst()
              .orElseThrow(() -> ConfigException.invalidSetting(path, part, "name[=url] entries"));
      if (nameAndUrl.length == 1) {
        result.add(new ExtraDependency(name, true, Optional.empty()));
      } else if (nameAndUrl[1].isBlank()) {
        result.add(new ExtraDependency(name, false, Optional.empty()));
      } else {
        String url = nameAndUrl[1].trim();
        if (!url.matches("https?://[^\\s/]+.*")) {
          throw ConfigException.invalidSetting(
              path, Settings.redact(url), "an http(s) URL after " + name + "=");
        }
        result.add(new ExtraDependency(name, true, Optional.of(url)));
      }
    }
    return List.copyOf(result);
  }

  private static Map<String, String> graph(Map<String, String> raw) {
    Map<String, String> graph = new LinkedHashMap<>();
    raw.forEach(
        (node, requirement) -> {
          String path = "degradation.graph." + node;
          if (!NAME.matcher(node).matches()) {
            throw ConfigException.invalidSetting(path, node, "a service name");
          }
          String compact = requirement.replace(" ", "");
          if (compact.isEmpty()) {
            return;
          }
          if (!REQUIREMENT.matcher(compact).matches()) {
            throw ConfigException.invalidSetting(
                path,
                requirement,
                "names (or prefix.*) joined by ',' (all needed) or '|' (any one suffices)");
          }
          graph.put(node, compact);
        });
    return java.util.Collections.unmodifiableMap(graph);
  }
}
