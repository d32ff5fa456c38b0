package dev.soma.resilience.cli;

import dev.soma.resilience.config.ConfigException;
import dev.soma.resilience.outbox.DeadLetters;
import io.vertx.core.json.JsonObject;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

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

  /** A dead-letter action: runs on the dead letters of the started tools. */
  abstract static class Action extends OperatorCommand {
    abstract int run(DeadLetters letters) throws Exception;

    @Override
    public final Integer call() throws Exception {
      check();
      return withTools(app -> run(new DeadLetters(app.pool(), app.outbox())));
    }

    /** Refuses bad options before anything starts. */
    abstract void check();
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Print dead letters as JSON lines.")
  static final class ListLetters extends Action {
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
    void check() {
      if (limit < 1) {
        throw new ConfigException("--limit must be at least 1, but was " + limit);
      }
    }

    @Override
    int run(DeadLetters letters) throws Exception {
      List<JsonObject> rows = await(letters.list(tenant, all, limit));
      rows.forEach(row -> out().println(row.encode()));
      if (rows.isEmpty()) {
        // standard output stays empty (zero JSON lines); the person at the terminal is told
        err()
            .println(
                "no "
                    + (all ? "" : "unresolved ")
                    + "dead letters"
                    + (tenant == null ? "" : " for tenant " + tenant));
      }
      return 0;
    }
  }

  @Command(
      name = "replay",
      mixinStandardHelpOptions = true,
      description = "Put a dead letter's event back in the outbox with fresh attempts.")
  static final class Replay extends Action {
    @Parameters(paramLabel = "ID", description = "The dead letter's id.")
    long id;

    @Option(names = "--by", required = true, description = "Who is replaying (kept on the row).")
    String operator;

    @Option(names = "--notes", description = "Why.")
    String notes;

    @Override
    void check() {
      nonBlank("--by", operator);
    }

    @Override
    int run(DeadLetters letters) throws Exception {
      await(letters.replay(id, operator, notes));
      out().println("dead letter " + id + " replayed: its event is pending again");
      return 0;
    }
  }

  @Command(
      name = "resolve",
      mixinStandardHelpOptions = true,
      description = "Close a dead letter without replaying it.")
  static final class Resolve extends Action {
    @Parameters(paramLabel = "ID", description = "The dead letter's id.")
    long id;

    @Option(names = "--by", required = true, description = "Who is resolving (kept on the row).")
    String operator;

    @Option(names = "--notes", required = true, description = "Why it needs no replay.")
    String notes;

    @Override
    void check() {
      nonBlank("--by", operator);
      nonBlank("--notes", notes);
    }

    @Override
    int run(DeadLetters letters) throws Exception {
      await(letters.resolve(id, operator, notes));
      out().println("dead letter " + id + " resolved");
      return 0;
    }
  }
}
