package dev.soma.resilience.cli;

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
    mixinStandardHelpOptions = true,
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
      mixinStandardHelpOptions = true,
      description = "Print every known flag and its stored rule (null: its default) as JSON lines.")
  static final class ListFlags extends OperatorCommand {
    @Override
    public Integer call() throws Exception {
      return withTools(
          app -> {
            Map<FeatureFlag, FlagRule> rules = await(new FeatureFlags(app.pool()).load());
            for (FeatureFlag flag : FeatureFlag.values()) {
              out().println(line(flag, Optional.ofNullable(rules.get(flag))).encode());
            }
            return 0;
          });
    }
  }

  @Command(
      name = "set",
      mixinStandardHelpOptions = true,
      description = {
        "Store a flag's rule: off for --deny, else on for --allow, else on for --percent of the",
        "other tenants (by a stable hash of the flag and tenant). Replaces the rule it had."
      })
  static final class Set extends OperatorCommand {
    @Parameters(paramLabel = "NAME", description = "The flag (see flags list).")
    String name;

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

    @Option(names = "--reason", description = "Why, kept with the rule and in the audit trail.")
    String reason;

    @Mixin ActingOperator operator;

    @Override
    public Integer call() throws Exception {
      FeatureFlag flag = flag(name);
      shortText("--reason", reason, 2000);
      FlagRule rule;
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
      return printWithTools(
          app -> {
            FlagRule stored = await(new FeatureFlags(app.pool()).set(flag, rule));
            return line(flag, Optional.of(stored)).encode();
          });
    }
  }

  @Command(
      name = "clear",
      mixinStandardHelpOptions = true,
      description = "Put a flag back to its built-in default for every tenant.")
  static final class Clear extends OperatorCommand {
    @Parameters(paramLabel = "NAME", description = "The flag (see flags list).")
    String name;

    @Option(names = "--reason", description = "Why, kept in the audit trail.")
    String reason;

    @Mixin ActingOperator operator;

    @Override
    public Integer call() throws Exception {
      FeatureFlag flag = flag(name);
      shortText("--reason", reason, 2000);
      String who = operator.name();
      return printWithTools(
          app -> {
            boolean had = await(new FeatureFlags(app.pool()).clear(flag, who, reason));
            return "flag "
                + flag.wire()
                + (had ? " back to its default (" : " had no rule: it stays at its default (")
                + (flag.defaultOn() ? "on" : "off")
                + " for every tenant)";
          });
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = "Print whether a flag is on for a tenant under the stored rule, and why.")
  static final class Check extends OperatorCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The flag (see flags list).")
    String name;

    @Parameters(index = "1", paramLabel = "TENANT", description = "The tenant's id.")
    String tenant;

    @Override
    public Integer call() throws Exception {
      FeatureFlag flag = flag(name);
      if (!Tenants.isValidId(tenant)) {
        throw new ConfigException(
            "TENANT must be a tenant id (1-63 characters of [a-z0-9._-]), but was '"
                + tenant
                + "'");
      }
      return printWithTools(
          app -> {
            Map<FeatureFlag, FlagRule> rules = await(new FeatureFlags(app.pool()).load());
            Verdict verdict = Verdict.of(flag, Optional.ofNullable(rules.get(flag)), tenant);
            return verdict.toJson().put("name", flag.wire()).put("tenant", tenant).encode();
          });
    }
  }
}
