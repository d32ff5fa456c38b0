package dev.soma.resilience.cli;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.ProcessName;
import dev.soma.resilience.config.ConfigException;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.outbox.DrainSummary;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code publish-outbox --batch-size=100 --interval=1 [--once]}: the relay on its own. */
@Command(
    name = "publish-outbox",
    description = "Relay committed outbox events to Kafka: continuously, or one pass with --once.")
final class PublishOutboxCommand extends OperatorCommand {

  @Option(names = "--batch-size", description = "Rows per claim (default: outbox.batchSize).")
  Integer batchSize;

  @Option(names = "--interval", description = "Seconds between polls when idle (default: 1).")
  Double interval;

  @Option(names = "--once", description = "Publish everything due now, print a summary, exit.")
  boolean once;

  @Option(
      names = "--http-port",
      description =
          "Serve /health/live, /health/ready and /metrics on this port (0: any free one; default:"
              + " no HTTP).")
  Integer httpPort;

  @Override
  public Integer call() throws Exception {
    OptionRules.within("--batch-size", batchSize, 1, 10_000, "");
    OptionRules.within("--interval", interval, 0.01, 3600, " seconds");
    if (httpPort != null && (once || httpPort < 0 || httpPort > 65535)) {
      throw new ConfigException(
          "--http-port must be from 0 to 65535, without --once, but was "
              + httpPort
              + (once ? " with --once" : ""));
    }
    override("SA01_OUTBOX_BATCH_SIZE", batchSize);
    override("SA01_OUTBOX_POLL_INTERVAL_MS", interval == null ? null : Math.round(interval * 1000));
    override("SA01_HTTP_PORT", httpPort);
    ServiceConfig config = config();
    if (!once) {
      Application.Role role =
          httpPort == null ? Application.Role.RELAY_ONLY : Application.Role.RELAY_WITH_PROBES;
      return runUntilStopped(() -> Application.start(config, role));
    }
    try (Application app = Application.start(config, Application.Role.TOOLS)) {
      DrainSummary summary =
          Blocking.await(
              app.relays(config).drainOnce(app.vertx(), "publish-once-" + ProcessName.get()),
              Duration.ofHours(1));
      out()
          .printf(
              "published %d event(s) in %d batch(es); %d failed and"
                  + " will be retried or were dead-lettered%n",
              summary.published(), summary.batches(), summary.failed());
      return summary.failed() == 0 ? 0 : 1;
    }
  }
}
