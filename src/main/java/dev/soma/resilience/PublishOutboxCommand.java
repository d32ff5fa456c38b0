package dev.soma.resilience;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ConfigException;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.outbox.internal.DeadLetterPublisher;
import dev.soma.resilience.outbox.internal.OutboxDrain;
import dev.soma.resilience.outbox.internal.OutboxMetrics;
import dev.soma.resilience.outbox.internal.OutboxRepository;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code publish-outbox --batch-size=100 --interval=1 [--once]}: the relay on its own. */
@Command(
    name = "publish-outbox",
    mixinStandardHelpOptions = true,
    description = "Relay committed outbox events to Kafka: continuously, or one pass with --once.")
final class PublishOutboxCommand implements Callable<Integer> {

  @ParentCommand Main main;

  @Spec CommandSpec spec;

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
    Map<String, String> env = new HashMap<>(main.env());
    if (batchSize != null) {
      if (batchSize < 1 || batchSize > 10_000) {
        throw new ConfigException("--batch-size must be from 1 to 10000, but was " + batchSize);
      }
      env.put("SA01_OUTBOX_BATCH_SIZE", batchSize.toString());
    }
    if (interval != null) {
      if (!(interval >= 0.01 && interval <= 3600)) {
        throw new ConfigException(
            "--interval must be from 0.01 to 3600 seconds, but was " + interval);
      }
      env.put("SA01_OUTBOX_POLL_INTERVAL_MS", Long.toString(Math.round(interval * 1000)));
    }
    if (httpPort != null) {
      if (once || httpPort < 0 || httpPort > 65535) {
        throw new ConfigException(
            "--http-port must be from 0 to 65535, without --once, but was "
                + httpPort
                + (once ? " with --once" : ""));
      }
      env.put("SA01_HTTP_PORT", httpPort.toString());
    }
    ServiceConfig config = ServiceConfig.load(env);
    if (!once) {
      Application.Role role =
          httpPort == null ? Application.Role.RELAY_ONLY : Application.Role.RELAY_WITH_PROBES;
      return Main.runUntilStopped(Application.start(config, role));
    }
    try (Application app = Application.start(config, Application.Role.TOOLS)) {
      OutboxMetrics metrics = new OutboxMetrics(app.meters());
      OutboxDrain drain =
          new OutboxDrain(
              app.vertx(),
              new OutboxRepository(app.pool()),
              app.producer(),
              new DeadLetterPublisher(app.pool(), app.producer()),
              app.brokerProbe(),
              metrics,
              config.outbox(),
              "publish-once-" + Application.processName());
      Promise<OutboxDrain.Summary> done = Promise.promise();
      app.vertx().getOrCreateContext().runOnContext(v -> drain.run().onComplete(done));
      OutboxDrain.Summary summary = Blocking.await(done.future(), Duration.ofHours(1));
      spec.commandLine()
          .getOut()
          .printf(
              "published %d event(s) in %d batch(es); %d failed and"
                  + " will be retried or were dead-lettered%n",
              summary.published(), summary.batches(), summary.failed());
      return summary.failed() == 0 ? 0 : 1;
    }
  }
}
