package dev.soma.resilience.cli;

import dev.soma.resilience.cluster.ClusterJoinException;
import dev.soma.resilience.config.ConfigException;
import dev.soma.resilience.journal.JournalInUseException;
import picocli.CommandLine;

/** The operator commands, added under the service's top command. */
public final class Commands {

  private Commands() {}

  /**
   * The command line of {@code top} (which runs the service and gives the environment) with every
   * operator command under it; configuration and usage errors are one line and exit code 2.
   */
  public static CommandLine commandLine(CommandEnvironment top) {
    CommandLine cli = new CommandLine(top);
    cli.addSubcommand(new PublishOutboxCommand());
    cli.addSubcommand(new SyncMemoriesCommand());
    cli.addSubcommand(new DeadLettersCommand());
    cli.addSubcommand(new OutboxCommand());
    cli.addSubcommand(new TenantsCommand());
    cli.addSubcommand(new FlagsCommand());
    cli.addSubcommand(new JournalCommand());
    withStandardHelp(cli, new ServiceVersion());
    // a usage error is one line, like a bad setting, not the whole usage text
    cli.setParameterExceptionHandler(
        (e, args) -> {
          e.getCommandLine().getErr().println(e.getMessage() + " (see " + helpOf(e) + ")");
          return 2;
        });
    cli.setExecutionExceptionHandler(
        (e, commandLine, parsed) -> {
          if (e instanceof ConfigException) {
            commandLine.getErr().println("configuration error: " + e.getMessage());
            return 2;
          }
          if (e instanceof JournalInUseException) {
            commandLine.getErr().println("journal: " + e.getMessage());
            return 2;
          }
          if (e instanceof ClusterJoinException) {
            commandLine.getErr().println("cluster: " + e.getMessage());
            return 3;
          }
          throw e;
        });
    return cli;
  }

  /**
   * Every command takes {@code -h}/{@code --help} and {@code -V}/{@code --version}, which prints
   * the service's version.
   */
  private static void withStandardHelp(CommandLine command, ServiceVersion version) {
    command.getCommandSpec().mixinStandardHelpOptions(true).versionProvider(version);
    command.getSubcommands().values().forEach(sub -> withStandardHelp(sub, version));
  }

  /** The help a usage error points to: its command's path under the root, then --help. */
  private static String helpOf(picocli.CommandLine.ParameterException e) {
    picocli.CommandLine.Model.CommandSpec spec = e.getCommandLine().getCommandSpec();
    String path = spec.qualifiedName();
    String root = spec.root().name();
    return (path.equals(root) ? "" : path.substring(root.length() + 1) + " ") + "--help";
  }
}
