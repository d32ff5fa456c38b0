package dev.soma.resilience;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ConfigException;
import dev.soma.resilience.outbox.DeadLetters;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code dead-letters list|replay|resolve}: inspect dead letters and bring them back. */
@Command(
    name = "dead-letters",
    mixinStandardHelpOptions = true,
    description = "List, replay or resolve dead-lettered outbox events.",
    subcommands = {
      DeadLettersCommand.ListLetters.class,
      DeadLettersCommand.Replay.class,
      DeadLettersCommand.Resolve.class
    })
final class DeadLettersCommand {

  @ParentCommand Main main;

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Print dead letters as JSON lines.")
  static final class ListLetters implements Callable<Integer> {
    @ParentCommand DeadLettersCommand parent;

    @Spec CommandSpec spec;

    @Option(names = "--tenant", description = "Only this tenant's dead letters.")
    String tenant;

    @Option(names = "--all", description = "Include resolved ones.")
    boolean all;

    @Option(
        names = "--limit",
        defaultValue = "100",
        description = "At most this many (default 100).")
    int limit;

    @Override
    public Integer call() throws Exception {
      if (limit < 1) {
        throw new ConfigException("--limit must be at least 1, but was " + limit);
      }
      return parent.withDeadLetters(
          spec,
          letters -> {
            List<JsonObject> rows =
                Blocking.await(letters.list(tenant, all, limit), Duration.ofMinutes(1));
            rows.forEach(row -> spec.commandLine().getOut().println(row.encode()));
            return 0;
          });
    }
  }

  @Command(
      name = "replay",
      mixinStandardHelpOptions = true,
      description = "Put a dead letter's event back in the outbox with fresh attempts.")
  static final class Replay implements Callable<Integer> {
    @ParentCommand DeadLettersCommand parent;

    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The dead letter's id.")
    long id;

    @Option(names = "--by", required = true, description = "Who is replaying (kept on the row).")
    String operator;

    @Option(names = "--notes", description = "Why.")
    String notes;

    @Override
    public Integer call() throws Exception {
      nonBlank("--by", operator);
      return parent.withDeadLetters(
          spec,
          letters -> {
            Blocking.await(letters.replay(id, operator, notes), Duration.ofMinutes(1));
            spec.commandLine()
                .getOut()
                .println("dead letter " + id + " replayed: its event is pending again");
            return 0;
          });
    }
  }

  @Command(
      name = "resolve",
      mixinStandardHelpOptions = true,
      description = "Close a dead letter without replaying it.")
  static final class Resolve implements Callable<Integer> {
    @ParentCommand DeadLettersCommand parent;

    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The dead letter's id.")
    long id;

    @Option(names = "--by", required = true, description = "Who is resolving (kept on the row).")
    String operator;

    @Option(names = "--notes", required = true, description = "Why it needs no replay.")
    String notes;

    @Override
    public Integer call() throws Exception {
      nonBlank("--by", operator);
      nonBlank("--notes", notes);
      return parent.withDeadLetters(
          spec,
          letters -> {
            Blocking.await(letters.resolve(id, operator, notes), Duration.ofMinutes(1));
            spec.commandLine().getOut().println("dead letter " + id + " resolved");
            return 0;
          });
    }
  }

  /** Who did it and why are kept on the row: an empty value would keep nothing. */
  private static void nonBlank(String option, String value) {
    if (value == null || value.isBlank()) {
      throw new ConfigException(option + " must not be blank");
    }
  }

  private interface Action {
    int run(DeadLetters target) throws Exception;
  }

  private int withDeadLetters(CommandSpec spec, Action action) throws Exception {
    return main.withTools(spec, app -> action.run(new DeadLetters(app.pool(), app.outbox())));
  }
}
