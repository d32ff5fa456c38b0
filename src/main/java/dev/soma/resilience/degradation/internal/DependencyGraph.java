package dev.soma.resilience.degradation.internal;

import dev.soma.resilience.degradation.DegradationLevel;
import dev.soma.resilience.degradation.DependencyStatus;
import dev.soma.resilience.degradation.DependencyStatus.Kind;
import dev.soma.resilience.degradation.HealthState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which service needs which, and what that does to their levels. A node's requirement is a list of
 * groups that are all needed ({@code ,}); each group is satisfied by any one of its alternatives
 * ({@code |}); an alternative is a service name or a prefix ({@code llm.*}: every service named
 * {@code llm.}...). A node is a capability of the agent ({@code memory}), or a dependency that
 * itself needs others.
 *
 * <p>A group is as bad as its best configured alternative; losing some alternatives of a group that
 * has several makes it {@code minor} (running without redundancy). A node inherits the worst of its
 * groups when that is worse than its own level; inheriting {@code critical} makes it unavailable.
 * Unconfigured services are ignored; a capability all of whose groups are unconfigured is itself
 * not configured. A cycle is cut where it closes. Pure: same input, same output.
 */
final class DependencyGraph {

  /** A node's resolved health and the services it inherited it from. */
  record Effective(Kind kind, Assessment assessment, List<String> impactedBy) {

    /** {@code name}'s status from this assessment and its window's {@code stats}. */
    DependencyStatus status(String name, boolean critical, WindowStats stats, Instant now) {
      return new DependencyStatus(
          name,
          kind,
          assessment.state(),
          assessment.level(),
          assessment.reason(),
          now,
          critical,
          stats.errorRate(),
          stats.meanLatencyMs(),
          stats.calls(),
          impactedBy);
    }
  }

  private final Map<String, List<List<String>>> requirements;

  private DependencyGraph(Map<String, List<List<String>>> requirements) {
    this.requirements = requirements;
  }

  /** Parses {@code node -> "a,b|c"} (validated by the configuration already). */
  static DependencyGraph parse(Map<String, String> graph) {
    Map<String, List<List<String>>> requirements = new LinkedHashMap<>();
    graph.forEach(
        (node, requirement) -> {
          List<List<String>> groups = new ArrayList<>();
          for (String group : requirement.split(",")) {
            groups.add(
                Arrays.stream(group.split("\\|"))
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .toList());
          }
          requirements.put(node, List.copyOf(groups));
        });
    return new DependencyGraph(requirements);
  }

  /** The effective health of every dependency in {@code own} and every node of the graph. */
  Map<String, Effective> resolve(Map<String, Assessment> own) {
    Resolution resolution = new Resolution(own);
    for (String name : own.keySet()) {
      resolution.evaluate(name);
    }
    for (String node : requirements.keySet()) {
      resolution.evaluate(node);
    }
    return resolution.done;
  }

  private final class Resolution {
    private final Map<String, Assessment> own;
    private final Map<String, Effective> done = new LinkedHashMap<>();
    private final Set<String> visiting = new HashSet<>();

    Resolution(Map<String, Assessment> own) {
      this.own = own;
    }

    Effective evaluate(String name) {
      Effective known = done.get(name);
      if (known != null) {
        return known;
      }
      Assessment mine = own.get(name);
      if (!requirements.containsKey(name)
          || (mine != null && mine.state() == HealthState.NOT_CONFIGURED)) {
        Effective leaf =
            new Effective(Kind.DEPENDENCY, mine == null ? notConfigured(name) : mine, List.of());
        done.put(name, leaf);
        return leaf;
      }
      if (!visiting.add(name)) {
        // a cycle closes here: on this path the node counts with its own health only
        return new Effective(
            mine == null ? Kind.CAPABILITY : Kind.DEPENDENCY,
            mine == null
                ? new Assessment(HealthState.UNKNOWN, DegradationLevel.NONE, "cycle")
                : mine,
            List.of());
      }
      Effective result = combine(name, mine, inherited(name));
      visiting.remove(name);
      done.put(name, result);
      return result;
    }

    private Inherited inherited(String name) {
      Inherited total = new Inherited();
      for (List<String> group : requirements.get(name)) {
        List<String> candidates = expand(group, name);
        DegradationLevel best = null;
        List<String> worse = new ArrayList<>();
        boolean allUnknown = true;
        for (String candidate : candidates) {
          Assessment a = evaluate(candidate).assessment();
          if (a.state() == HealthState.NOT_CONFIGURED) {
            continue;
          }
          allUnknown &= a.state() == HealthState.UNKNOWN;
          best = best == null ? a.level() : DegradationLevel.min(best, a.level());
          if (a.level() != DegradationLevel.NONE) {
            worse.add(candidate);
          }
        }
        if (best == null) {
          continue;
        }
        total.configuredGroups++;
        total.allUnknown &= allUnknown;
        DegradationLevel level =
            best == DegradationLevel.NONE && !worse.isEmpty() ? DegradationLevel.MINOR : best;
        if (level != DegradationLevel.NONE) {
          total.level = DegradationLevel.max(total.level, level);
          total.impactedBy.addAll(worse);
        }
      }
      return total;
    }

    private List<String> expand(List<String> group, String self) {
      Set<String> names = new LinkedHashSet<>();
      for (String alternative : group) {
        if (alternative.endsWith(".*")) {
          String prefix = alternative.substring(0, alternative.length() - 1);
          own.keySet().stream().filter(n -> n.startsWith(prefix)).forEach(names::add);
          requirements.keySet().stream().filter(n -> n.startsWith(prefix)).forEach(names::add);
        } else if (own.containsKey(alternative) || requirements.containsKey(alternative)) {
          names.add(alternative);
        }
      }
      names.remove(self);
      return List.copyOf(names);
    }
  }

  private static final class Inherited {
    DegradationLevel level = DegradationLevel.NONE;
    Set<String> impactedBy = new LinkedHashSet<>();
    int configuredGroups;
    boolean allUnknown = true;
  }

  private static Effective combine(String name, Assessment mine, Inherited inherited) {
    String needs =
        "needs " + String.join(", ", inherited.impactedBy) + " (" + inherited.level.wire() + ")";
    if (mine == null) {
      if (inherited.configuredGroups == 0) {
        return new Effective(Kind.CAPABILITY, notConfigured(name), List.of());
      }
      if (inherited.level == DegradationLevel.NONE) {
        HealthState state = inherited.allUnknown ? HealthState.UNKNOWN : HealthState.HEALTHY;
        return new Effective(
            Kind.CAPABILITY,
            new Assessment(
                state,
                DegradationLevel.NONE,
                state == HealthState.UNKNOWN ? "nothing observed yet" : "ok"),
            List.of());
      }
      return new Effective(
          Kind.CAPABILITY,
          new Assessment(stateFor(inherited.level), inherited.level, needs),
          List.copyOf(inherited.impactedBy));
    }
    if (!inherited.level.isWorseThan(mine.level())) {
      return new Effective(Kind.DEPENDENCY, mine, List.of());
    }
    String reason = mine.state() == HealthState.HEALTHY ? needs : mine.reason() + "; " + needs;
    return new Effective(
        Kind.DEPENDENCY,
        new Assessment(stateFor(inherited.level), inherited.level, reason),
        List.copyOf(inherited.impactedBy));
  }

  private static HealthState stateFor(DegradationLevel level) {
    return level == DegradationLevel.CRITICAL
        ? HealthState.UNAVAILABLE
        : level == DegradationLevel.NONE ? HealthState.HEALTHY : HealthState.DEGRADED;
  }

  private static Assessment notConfigured(String name) {
    return new Assessment(HealthState.NOT_CONFIGURED, DegradationLevel.NONE, "not configured");
  }
}
