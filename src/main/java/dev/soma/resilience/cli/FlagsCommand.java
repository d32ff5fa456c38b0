package dev.soma.resilience.cli;

import dev.soma.resilience.Application;
import dev.soma.resilience.config.ConfigException;
import dev.soma.resilience.flags.FeatureFlag;
import dev.soma.resilience.flags.FeatureFlags;
import dev.soma.resilience.flags.FlagRule;
import dev.soma.resilience.flags.Verdict;
import dev.soma.resilience.tenant.Tenants;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code flags list|set|clear|check}: the admin API's feature flags ({@code /admin/flags}) on the
 * command line, through the same store: a change is audited and reaches every running process
 * within a {@code NOTIFY} round trip. {@code list} and {@code check} read the stored rules (what
 * every process applies). A bad name, tenant id or percentage is one line and exit code 2, found
 * before connecting.
 */
@Command(
    name = "flags",
    description = "List, set, clear and check the per-tenant feature flags.",
    subcommands = {
      FlagsCommand.ListFlags.class,
      FlagsCommand.Set.class,
      FlagsCommand.Clear.class,
      FlagsCommand.Check.class
    })
final class FlagsCommand {

  /** The flag {@code name} names; a usage error naming the known ones otherwise. */
  static FeatureFlag flag(String name) {
    return FeatureFlag.named(name)
        .orElseThrow(
            () ->
                new ConfigException(
                    "no flag named '"
                        + name
                        + "'; the known flags: "
                        + String.join(", ", FeatureFlag.names())));
  }

  /** One flag as a JSON line: name, meaning, default, stored rule (null: the default). */
  static JsonObject line(FeatureFlag flag, Optional<FlagRule> rule) {
    return new JsonObject()
        .put("name", flag.wire())
        .put("meaning", flag.meaning())
        .put("defaultOn", flag.defaultOn())
        .put("rule", rule.map(FlagRule::toJson).orElse(null));
  }

  @Command(
      name = "list",
      description = "Print every known flag and its stored rule (null: its default) as JSON lines.")
  static final class ListFlags extends ToolCommand {
    @Override
    int run(Application app) throws Exception {
      Map<FeatureFlag, FlagRule> rules = await(new FeatureFlags(app.pool()).load());
      for (FeatureFlag flag : FeatureFlag.values()) {
        printLine(line(flag, Optional.ofNullable(rules.get(flag))));
      }
      return 0;
    }
  }

  /**
   * A change to one flag's stored rule: names the flag, says who acts and why; a bad flag name,
   * reason or operator is refused before connecting.
   */
  abstract static class Change extends ToolCommand {
    @Parameters(paramLabel = "NAME", description = "The flag (see flags list).")
    String name;

    @Option(
        names = "--reason",
        description = "Why, kept in the audit trail (set also keeps it with the rule).")
    String reason;

    @Mixin ActingOperator operator;

    FeatureFlag flag;

    @Override
    void check() {
      flag = flag(name);
      OptionRules.shortText("--reason", reason, 2000);
      operator.name();
    }
  }

  @Command(
      name = "set",
      description = {
        "Store a flag's rule: off for --deny, else on for --allow, else on for --percent of the",
        "other tenants (by a stable hash of the flag and tenant). Replaces the rule it had."
      })
  static final class Set extends Change {
    @Option(
        names = "--allow",
        split = ",",
        paramLabel = "TENANT",
        description = "Tenants the flag is on for (comma-separated).")
    List<String> allow = List.of();

    @Option(
        names = "--deny",
        split = ",",
        paramLabel = "TENANT",
        description = "Tenants the flag is off for, whatever else says (comma-separated).")
    List<String> deny = List.of();

    @Option(
        names = "--percent",
        required = true,
        description = "Share of the other tenants the flag is on for, 0-100.")
    int percent;

    FlagRule rule;

    @Override
    void check() {
      super.check();
      try {
        rule =
            new FlagRule(
                new TreeSet<>(allow),
                new TreeSet<>(deny),
                percent,
                operator.name(),
                reason,
                Instant.EPOCH);
      } catch (IllegalArgumentException e) {
        // the rule names its fields; the command line has options
        throw new ConfigException(
            e.getMessage()
                .replaceFirst("^percentage", "--percent")
                .replaceFirst("^allow", "--allow")
                .replaceFirst("^deny", "--deny"));
      }
    }

    @Override
    int run(Application app) throws Exception {
      FlagRule stored = await(new FeatureFlags(app.pool()).set(flag, rule));
      return printLine(line(flag, Optional.of(stored)));
    }
  }

  @Command(
      name = "clear",
      description = "Put a flag back to its built-in default for every tenant.")
  static final class Clear extends Change {
    @Override
    int run(Application app) throws Exception {
      boolean had = await(new FeatureFlags(app.pool()).clear(flag, operator.name(), reason));
      return printLine(
          "flag "
              + flag.wire()
              + (had ? " back to its default (" : " had no rule: it stays at its default (")
              + (flag.defaultOn() ? "on" : "off")
              + " for every tenant)");
    }
  }

  @Command(
      name = "check",
      description = "Print whether a flag is on for a tenant under the stored rule, and why.")
  static final class Check extends ToolCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The flag (see flags list).")
    String name;

    @Parameters(index = "1", paramLabel = "TENANT", description = "The tenant's id.")
    String tenant;

    FeatureFlag flag;

    @Override
    void check() {
      flag = flag(name);
      if (!Tenants.isValidId(tenant)) {
        throw new ConfigException(
            "TENANT must be a tenant id (1-63 characters of [a-z0-9._-]), but was '"
                + tenant
                + "'");
      }
    }

    @Override
    int run(Application app) throws Exception {
      Map<FeatureFlag, FlagRule> rules = await(new FeatureFlags(app.pool()).load());
      Verdict verdict = Verdict.of(flag, Optional.ofNullable(rules.get(flag)), tenant);
      return printLine(verdict.toJson().put("name", flag.wire()).put("tenant", tenant));
    }
  }
}
