package dev.soma.resilience.cli;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.ProcessName;
import dev.soma.resilience.config.ConfigException;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.memory.Memories;
import dev.soma.resilience.memory.SyncRound;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sync-memories --batch-size=50 --interval=5 [--once]}: the memory sync on its own. */
@Command(
    name = "sync-memories",
    description = "Send queued memories to SomaBrain: continuously, or one pass with --once.")
final class SyncMemoriesCommand extends OperatorCommand {

  @Option(
      names = "--batch-size",
      description = "Memories per tenant per round (default: memory.syncBatchSize).")
  Integer batchSize;

  @Option(names = "--interval", description = "Seconds between rounds when idle (default: 5).")
  Integer interval;

  @Option(names = "--once", description = "Sync what SomaBrain takes now, print a summary, exit.")
  boolean once;

  @Override
  public Integer call() throws Exception {
    OptionRules.within("--batch-size", batchSize, 1, 10_000, "");
    OptionRules.within("--interval", interval, 1, 3600, " seconds");
    override("SA01_MEMORY_SYNC_BATCH_SIZE", batchSize);
    override("SA01_MEMORY_SYNC_INTERVAL_SECONDS", interval);
    ServiceConfig config = config();
    if (config.somabrainUrl().isEmpty()) {
      throw new ConfigException("SA01_SOMABRAIN_URL is not set: there is no SomaBrain to sync to");
    }
    if (!once) {
      return runUntilStopped(() -> startedWithSync(config));
    }
    try (Application app = Application.start(config, Application.Role.TOOLS)) {
      SyncRound round =
          Blocking.await(sync(app, config).orElseThrow().untilIdle(), Duration.ofHours(1));
      out()
          .printf(
              "synced %d memory(ies); %d failed and will be retried or were dead-lettered%n",
              round.synced(), round.failed());
      return round.failed() == 0 ? 0 : 1;
    }
  }

  /** The tools with the memory sync deployed on them. */
  private static Application startedWithSync(ServiceConfig config) throws Exception {
    Application app = Application.start(config, Application.Role.TOOLS);
    try {
      sync(app, config);
      return app;
    } catch (Exception e) {
      app.close();
      throw e;
    }
  }

  private static Optional<Memories.Sync> sync(Application app, ServiceConfig config)
      throws Exception {
    return await(app.memories(config, () -> true).deploySync("sync-memories-" + ProcessName.get()));
  }
}
