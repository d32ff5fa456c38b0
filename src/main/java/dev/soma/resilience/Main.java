package dev.soma.resilience;

import dev.soma.resilience.cli.CommandEnvironment;
import dev.soma.resilience.cli.Commands;
import dev.soma.resilience.cli.OperatorCommand;
import dev.soma.resilience.config.ServiceConfig;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point. {@code java -jar soma-resilience-embedded.jar} runs the whole service; subcommands
 * (package {@code cli}) run operator tasks ({@code publish-outbox}, {@code dead-letters}...).
 * Configuration errors end the process with exit code 2 and one line naming the setting.
 */
@Command(
    name = "soma-resilience",
    description = {
      "Soma Resilience: zero-data-loss core of the agent platform.",
      "Without a command, runs the whole service until stopped (SIGTERM or Ctrl-C)."
    })
public final class Main implements Callable<Integer>, CommandEnvironment {

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
    return Commands.commandLine(new Main(env));
  }

  @Override
  public Map<String, String> env() {
    return env;
  }

  /** Runs the service until the process is stopped. */
  @Override
  public Integer call() throws Exception {
    ServiceConfig config = ServiceConfig.load(env);
    return OperatorCommand.runUntilStopped(
        () -> Application.start(config, Application.Role.SERVICE));
  }
}
