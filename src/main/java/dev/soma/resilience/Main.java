package dev.soma.resilience;

import dev.soma.resilience.config.ConfigException;
import dev.soma.resilience.config.ServiceConfig;
import java.util.Map;
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
    subcommands = {
      PublishOutboxCommand.class,
      SyncMemoriesCommand.class,
      DeadLettersCommand.class,
      TenantsCommand.class
    })
public final class Main implements java.util.concurrent.Callable<Integer> {

  private final Map<String, String> env;

  public Main() {
    this(System.getenv());
  }

  /** A command line that reads its {@code SA01_*} settings from {@code env}. */
  Main(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  public static void main(String[] args) {
    System.exit(commandLine(System.getenv()).execute(args));
  }

  /** The command line as {@link #main} runs it, with configuration errors mapped to exit code 2. */
  static CommandLine commandLine(Map<String, String> env) {
    CommandLine cli = new CommandLine(new Main(env));
    cli.setExecutionExceptionHandler(
        (e, commandLine, parsed) -> {
          if (e instanceof ConfigException) {
            commandLine.getErr().println("configuration error: " + e.getMessage());
            return 2;
          }
          throw e;
        });
    return cli;
  }

  /** The environment the subcommands read their settings from. */
  Map<String, String> env() {
    return env;
  }

  /** Runs the service until the process is stopped. */
  @Override
  public Integer call() throws Exception {
    ServiceConfig config = ServiceConfig.load(env);
    Application app = Application.start(config, Application.Role.SERVICE);
    return runUntilStopped(app);
  }

  /** What a one-shot command does with a started (tools-only) application. */
  interface ToolAction {
    int run(Application app) throws Exception;
  }

  /**
   * Starts the application's tools (migrated pool, producer), runs {@code action} and stops them.
   * An unknown or invalid target ({@link java.util.NoSuchElementException}, {@link
   * IllegalArgumentException}) is a one-line message and exit code 1.
   */
  int withTools(CommandLine.Model.CommandSpec spec, ToolAction action) throws Exception {
    try (Application app = Application.start(ServiceConfig.load(env), Application.Role.TOOLS)) {
      return action.run(app);
    } catch (java.util.NoSuchElementException | IllegalArgumentException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 1;
    }
  }

  static int runUntilStopped(Application app) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.close();
                  stopped.countDown();
                },
                "shutdown"));
    stopped.await();
    return 0;
  }
}
