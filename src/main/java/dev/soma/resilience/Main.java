package dev.soma.resilience;

import dev.soma.resilience.config.ConfigException;
import dev.soma.resilience.config.ServiceConfig;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point. {@code java -jar soma-resilience-embedded.jar} runs the whole service; subcommands
 * run operator tasks ({@code publish-outbox}, {@code dead-letters}). Configuration errors end the
 * process with exit code 2 and one line naming the setting.
 */
@Command(
    name = "soma-resilience",
    mixinStandardHelpOptions = true,
    description = "Soma Resilience: zero-data-loss core of the agent platform.",
    subcommands = {PublishOutboxCommand.class, DeadLettersCommand.class})
public final class Main implements java.util.concurrent.Callable<Integer> {

  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
      if (e instanceof ConfigException) {
        commandLine.getErr().println("configuration error: " + e.getMessage());
        return 2;
      }
      throw e;
    });
    System.exit(cli.execute(args));
  }

  /** Runs the service until the process is stopped. */
  @Override
  public Integer call() throws Exception {
    ServiceConfig config = ServiceConfig.load(System.getenv());
    Application app = Application.start(config, Application.Role.SERVICE);
    return runUntilStopped(app);
  }

  static int runUntilStopped(Application app) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      app.close();
      stopped.countDown();
    }, "shutdown"));
    stopped.await();
    return 0;
  }
}
