package dev.soma.resilience.cli;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.audit.AdminAudit;
import dev.soma.resilience.common.db.IdCursor;
import dev.soma.resilience.outbox.OutboxFilter;
import dev.soma.resilience.outbox.OutboxInspection;
import dev.soma.resilience.outbox.OutboxReplay;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code outbox list|summary|replay}: the admin API's outbox inspection and replays ({@code GET
 * /admin/outbox/events}, {@code /summary}, {@code POST /admin/outbox/replay[/tenant]}) on the
 * command line, through the same service classes; replays are audited like the API's.
 */
@Command(
    name = "outbox",
    description = "List outbox events, summarise them per tenant, replay them.",
    subcommands = {
      OutboxCommand.ListEvents.class,
      OutboxCommand.Summary.class,
      OutboxCommand.Replay.class
    })
final class OutboxCommand {

  @Command(
      name = "list",
      description = {
        "Print outbox events as JSON lines, oldest first; when there are more, the next page's",
        "--cursor is printed on standard error."
      })
  static final class ListEvents extends ToolCommand {
    @Mixin OutboxFilterOptions filters;

    @Option(names = "--status", description = "pending, retrying, published or dead.")
    String status;

    @Option(names = "--cursor", description = "Continue where the last page ended.")
    String cursor;

    @Option(
        names = "--limit",
        defaultValue = "100",
        description = "At most this many (1-500, default 100).")
    int limit;

    OutboxFilter filter;

    @Override
    void check() {
      OptionRules.within("--limit", limit, 1, 500, "");
      filter = filters.filter(spec, status);
      requirePrintedCursor(IdCursor::parse, cursor);
    }

    @Override
    int run(Application app) throws Exception {
      JsonObject page = await(new OutboxInspection(app.pool()).list(filter, cursor, limit));
      if (printPage(page, "events") == 0) {
        err().println("no outbox events match");
      }
      return 0;
    }
  }

  @Command(
      name = "summary",
      description =
          "Print per tenant, as JSON lines: pending, retrying, dead, published in the last hour, oldest pending age.")
  static final class Summary extends ToolCommand {
    @Override
    int run(Application app) throws Exception {
      printLines(await(new OutboxInspection(app.pool()).summary()).getJsonArray("tenants"));
      return 0;
    }
  }

  @Command(
      name = "replay",
      description = {
        "Put dead or published events back in the outbox (same id, dedupe key and headers), paced",
        "at SA01_OUTBOX_REPLAY_RATE per second: by --ids, or by filter with --tenant. Prints the",
        "result as JSON. On a terminal, a long replay's progress (events sent by the running",
        "service) is shown on standard error; piped or scripted, only the result is printed."
      })
  static final class Replay extends ToolCommand {
    @Option(names = "--ids", split = ",", paramLabel = "ID", description = "These outbox ids.")
    List<Long> ids;

    @Mixin OutboxFilterOptions filters;

    @Option(names = "--status", description = "dead or published (default: both).")
    String status;

    @Option(names = "--dry-run", description = "Say what would be replayed; change nothing.")
    boolean dryRun;

    @Option(names = "--reason", description = "Why (kept in the audit trail).")
    String reason;

    @Mixin ActingOperator operator;

    OutboxFilter filter;

    boolean byIds;

    AdminAudit.Entry entry;

    @Override
    void check() {
      filter = filters.filter(spec, status);
      byIds = ids != null && !ids.isEmpty();
      if (byIds == !filter.equals(OutboxFilter.ALL)) {
        throw usageError("give either --ids or a filter with --tenant");
      }
      if (!byIds && filter.tenantId() == null) {
        throw usageError("a replay by filter needs --tenant");
      }
      if (byIds && ids.stream().anyMatch(id -> id < 1)) {
        throw usageError("--ids must be at least 1");
      }
      asUsage(() -> OutboxReplay.requireReplayable(filter));
      // as the admin API's audit rows have it: the ids (or the filter, with "tenantId")
      JsonObject request =
          byIds
              ? AdminAudit.withIds(new JsonObject(), ids)
              : filter.toJson().put("tenantId", filter.tenantId());
      request.remove("tenant");
      entry =
          operator.entry(byIds ? "outbox.replay" : "outbox.replay.tenant", request, reason, dryRun);
    }

    @Override
    int run(Application app) throws Exception {
      return printReplay(
          app,
          byIds ? OutboxFilter.ALL : filter,
          replay ->
              byIds
                  ? replay.replayIds(new LinkedHashSet<>(ids), dryRun, entry)
                  : replay.replayMatching(filter, dryRun, entry));
    }
  }
}
