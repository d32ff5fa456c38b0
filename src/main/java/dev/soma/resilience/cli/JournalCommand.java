package dev.soma.resilience.cli;

import dev.soma.resilience.Application;
import dev.soma.resilience.api.AgentApi;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.journal.Journal;
import dev.soma.resilience.journal.JournalInUseException;
import dev.soma.resilience.journal.JournalInspection;
import dev.soma.resilience.journal.JournalReplay;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code journal inspect|replay [--dir DIR]}: the local journal that takes writes while PostgreSQL
 * cannot (docs/RELIABILITY.md). {@code inspect} reads it without changing it; {@code replay} writes
 * its waiting records into the database, e.g. a journal copied from a node that will not come back.
 */
@Command(
    name = "journal",
    description = "Inspect or replay the local journal.",
    subcommands = {JournalCommand.Inspect.class, JournalCommand.Replay.class})
final class JournalCommand {

  abstract static class WithDir extends OperatorCommand {
    @Option(
        names = "--dir",
        description = "The journal's directory (default: journal.dir, <dataDir>/journal).")
    Path dir;

    Path dir(ServiceConfig config) {
      return dir != null ? dir : config.journal().dir();
    }
  }

  @Command(
      name = "inspect",
      description = "Segments, records by state, kind and tenant, corruption; changes nothing.")
  static final class Inspect extends WithDir {
    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      JsonObject report;
      try {
        report = JournalInspection.of(dir(config()));
      } catch (IOException e) {
        err().println("journal inspect: " + e.getMessage());
        return 1;
      }
      if (json) {
        out().println(report.encodePrettily());
        return 0;
      }
      InspectionText.print(report, out());
      return 0;
    }
  }

  @Command(
      name = "replay",
      description = "Write the journal's waiting records into the database, then exit.")
  static final class Replay extends WithDir {
    @Override
    public Integer call() throws Exception {
      ServiceConfig config = config();
      Path journalDir = dir(config);
      Journal journal;
      try {
        journal = Journal.open(config.journal().settings(journalDir), Clock.systemUTC());
      } catch (JournalInUseException e) {
        err().println("journal replay: " + e.getMessage());
        return 1;
      }
      Application app = null;
      try {
        app = Application.start(config, Application.Role.TOOLS);
        long before = journal.pendingRecords();
        JournalReplay replay =
            AgentApi.journalReplay(
                app.pool(),
                app.leaseKeeper(),
                app.outbox(),
                app.memories(config, () -> false).service(),
                config,
                journal,
                Duration.ofMillis(50));
        await(app.vertx().deployVerticle(replay));
        long last = -1;
        long stalledSince = System.nanoTime();
        while (journal.pendingRecords() > 0) {
          if (journal.pendingRecords() != last) {
            last = journal.pendingRecords();
            stalledSince = System.nanoTime();
          } else if (System.nanoTime() - stalledSince > Duration.ofSeconds(60).toNanos()) {
            err().println("journal replay: no progress for 60 s (is the database reachable?)");
            return 1;
          }
          Thread.sleep(100);
        }
        out()
            .printf(
                "replayed %d of %d record(s) from %s; %d could not be written (logged)%n",
                replay.replayed(), before, journalDir, replay.failed());
        return replay.failed() == 0 ? 0 : 1;
      } finally {
        if (app != null) {
          app.close();
        }
        journal.close();
      }
    }
  }
}
