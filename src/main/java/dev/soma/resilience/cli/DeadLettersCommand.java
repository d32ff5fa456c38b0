package dev.soma.resilience.cli;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.audit.AdminAudit;
import dev.soma.resilience.common.db.IdCursor;
import dev.soma.resilience.outbox.DeadLetterFilter;
import dev.soma.resilience.outbox.DeadLetters;
import dev.soma.resilience.outbox.OutboxFilter;
import dev.soma.resilience.outbox.OutboxReplay;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dead-letters list|show|replay|resolve}: inspect dead letters and bring them back, one by
 * id or many by filter, through the same service classes as the admin API; every change is audited.
 */
@Command(
    name = "dead-letters",
    description = "List, replay or resolve dead-lettered outbox events.",
    subcommands = {
      DeadLettersCommand.ListLetters.class,
      DeadLettersCommand.Show.class,
      DeadLettersCommand.Replay.class,
      DeadLettersCommand.Resolve.class
    })
final class DeadLettersCommand {

  /** A dead-letter action: runs on the dead letters of the started tools. */
  abstract static class Action extends ToolCommand {
    abstract int run(DeadLetters letters, Application app) throws Exception;

    @Override
    final int run(Application app) throws Exception {
      return run(new DeadLetters(app.pool(), app.outbox(), config().outbox().replay()), app);
    }
  }

  @Command(
      name = "list",
      description = {
        "Print dead letters as JSON lines, oldest first (payloads over 64 KiB left out: see show);",
        "when there are more, the next page's --cursor is printed on standard error."
      })
  static final class ListLetters extends Action {
    @Option(names = "--tenant", description = "Only this tenant's dead letters.")
    String tenant;

    @Option(names = "--all", description = "Include resolved ones.")
    boolean all;

    @Option(names = "--cursor", description = "Continue where the last page ended.")
    String cursor;

    @Option(
        names = "--limit",
        defaultValue = "100",
        description = "At most this many (1-500, default 100).")
    int limit;

    @Override
    void check() {
      OptionRules.within("--limit", limit, 1, 500, "");
      requirePrintedCursor(IdCursor::parse, cursor);
    }

    @Override
    int run(DeadLetters letters, Application app) throws Exception {
      if (printPage(await(letters.list(tenant, all, cursor, limit)), "deadLetters") == 0) {
        // standard output stays empty (zero JSON lines); the person at the terminal is told
        err()
            .println(
                "no "
                    + (all ? "" : "unresolved ")
                    + "dead letters"
                    + (tenant == null ? "" : " for tenant " + tenant)
                    + (cursor == null ? "" : " after this cursor"));
      }
      return 0;
    }
  }

  @Command(
      name = "show",
      description =
          "Print one dead letter as a JSON line, its payload whole (list leaves out"
              + " payloads over 64 KiB).")
  static final class Show extends Action {
    @Parameters(paramLabel = "ID", description = "The dead letter's id.")
    long id;

    @Override
    int run(DeadLetters letters, Application app) throws Exception {
      return printLine(await(letters.one(id)));
    }
  }

  /**
   * One dead letter by {@code ID}, or every unresolved one a filter matches: the two are exclusive,
   * and a bulk action needs at least one filter.
   */
  abstract static class Targeted extends Action {
    @Parameters(
        paramLabel = "ID",
        arity = "0..1",
        description = "One dead letter's id (or leave it out and give filters).")
    Long id;

    @Mixin FilterOptions filters;

    @Option(
        names = "--source",
        description = "outbox (events) or memory (memories SomaBrain never took).")
    String source;

    @Option(
        names = "--dry-run",
        description = "With filters: say what would change; change nothing.")
    boolean dryRun;

    @Mixin ActingOperator operator;

    DeadLetterFilter filter;

    @Override
    void check() {
      operator.name();
      Map<String, String> fields =
          filters.fields(source == null ? Map.of() : Map.of("source", source));
      if (id != null && !fields.isEmpty()) {
        throw usageError("give either an ID or filters, not both");
      }
      if (id != null && dryRun) {
        throw usageError("--dry-run goes with filters: one letter by ID has no dry run");
      }
      if (id == null) {
        filter = FilterOptions.parse(spec, DeadLetterFilter::parse, fields);
      }
    }

    /** The audit entry of a bulk action. */
    AdminAudit.Entry entry(String action, String reason) {
      return operator.entry(action, filter.toJson(), reason, dryRun);
    }
  }

  @Command(
      name = "replay",
      description = {
        "Put dead-lettered events back in the outbox: one by ID, or every one a filter matches.",
        "The event goes back with fresh attempts; by filter, every unresolved outbox dead",
        "letter's event (paced, at most SA01_OUTBOX_REPLAY_MAX_ROWS), printing the result as JSON",
        "(its ids are the events' outbox ids). On a terminal, a long replay's progress (events",
        "sent by the running service) is shown on standard error; piped or scripted, only the",
        "result."
      })
  static final class Replay extends Targeted {
    @Option(
        names = {"--reason", "--notes"},
        description = "Why (kept on the letter and in the audit trail).")
    String reason;

    @Override
    void check() {
      OptionRules.shortText("--reason", reason, DeadLetters.REASON_MAX);
      super.check();
      if (filter != null) {
        asUsage(() -> OutboxReplay.requireReplayable(filter));
      }
    }

    @Override
    int run(DeadLetters letters, Application app) throws Exception {
      if (id != null) {
        await(letters.replay(id, operator.name(), reason));
        return printLine("dead letter " + id + " replayed: its event will be sent again");
      }
      OutboxFilter scope =
          new OutboxFilter(filter.tenantId(), null, filter.topic(), null, null, null, null);
      return printReplay(
          app,
          scope,
          replay -> replay.replayDeadLetters(filter, dryRun, entry("dead-letters.replay", reason)));
    }
  }

  @Command(
      name = "resolve",
      description = {
        "Close dead letters without replaying them: one by ID, or every one a filter matches.",
        "By filter: every unresolved one (events and memories, at most",
        "SA01_OUTBOX_REPLAY_MAX_ROWS), printing the result as JSON (its ids are the letters' ids)."
      })
  static final class Resolve extends Targeted {
    @Option(
        names = {"--reason", "--notes"},
        required = true,
        description = "Why it needs no replay (kept on the letter and in the audit trail).")
    String reason;

    @Override
    void check() {
      OptionRules.nonBlank("--reason", reason);
      OptionRules.shortText("--reason", reason, DeadLetters.REASON_MAX);
      super.check();
    }

    @Override
    int run(DeadLetters letters, Application app) throws Exception {
      if (id != null) {
        await(letters.resolve(id, operator.name(), reason));
        return printLine("dead letter " + id + " resolved");
      }
      DeadLetters.Resolved resolved =
          await(
              letters.resolveMatching(
                  filter, reason, dryRun, entry("dead-letters.resolve", reason)));
      return printLine(resolved.toJson());
    }
  }
}
