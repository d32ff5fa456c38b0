package dev.soma.resilience;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ConfigException;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.memory.PendingMemories;
import dev.soma.resilience.memory.SomaBrainClient;
import dev.soma.resilience.memory.internal.MemorySync;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code sync-memories --batch-size=50 --interval=5 [--once]}: the memory sync on its own. */
@Command(
    name = "sync-memories",
    mixinStandardHelpOptions = true,
    description = "Send queued memories to SomaBrain: continuously, or one pass with --once.")
final class SyncMemoriesCommand implements Callable<Integer> {

  @ParentCommand Main main;

  @Spec CommandSpec spec;

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
    Map<String, String> env = new HashMap<>(main.env());
    if (batchSize != null) {
      if (batchSize < 1 || batchSize > 10_000) {
        throw new ConfigException("--batch-size must be from 1 to 10000, but was " + batchSize);
      }
      env.put("SA01_MEMORY_SYNC_BATCH_SIZE", batchSize.toString());
    }
    if (interval != null) {
      if (interval < 1 || interval > 3600) {
        throw new ConfigException("--interval must be from 1 to 3600 seconds, but was " + interval);
      }
      env.put("SA01_MEMORY_SYNC_INTERVAL_SECONDS", interval.toString());
    }
    ServiceConfig config = ServiceConfig.load(env);
    if (config.somabrainUrl().isEmpty()) {
      throw new ConfigException("SA01_SOMABRAIN_URL is not set: there is no SomaBrain to sync to");
    }
    Application app = Application.start(config, Application.Role.TOOLS);
    try {
      MemorySync sync =
          new MemorySync(
              new PendingMemories(app.pool()),
              new SomaBrainClient(
                  WebClient.create(app.vertx()),
                  config.somabrainUrl().get(),
                  config.memory().somabrainToken(),
                  config.memory().requestTimeout()),
              config.memory(),
              "sync-memories-" + Application.processName(),
              app.meters());
      Blocking.await(app.vertx().deployVerticle(sync), Duration.ofMinutes(1));
      if (!once) {
        return Main.runUntilStopped(app);
      }
      MemorySync.Round round = Blocking.await(sync.drainUntilIdle(), Duration.ofHours(1));
      spec.commandLine()
          .getOut()
          .printf(
              "synced %d memory(ies); %d failed and will be retried" + " or were dead-lettered%n",
              round.synced(), round.failed());
      return round.failed() == 0 ? 0 : 1;
    } finally {
      if (once) {
        app.close();
      }
    }
  }
}
