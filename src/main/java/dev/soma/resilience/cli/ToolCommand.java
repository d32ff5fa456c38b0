package dev.soma.resilience.cli;

import dev.soma.resilience.Application;

/**
 * An operator command that does one thing with the service's tools (the migrated pool, the
 * producer): it refuses bad options before anything starts ({@link #check}), then starts the tools,
 * runs {@link #run} on them and stops them, with {@link OperatorCommand}'s rule for bad input.
 */
abstract class ToolCommand extends OperatorCommand {

  /**
   * Refuses bad options before anything starts: a {@link
   * dev.soma.resilience.config.ConfigException} (exit code 2) or a {@link #usageError}.
   */
  void check() {}

  /** What the command does with the started tools; returns its exit code. */
  abstract int run(Application app) throws Exception;

  @Override
  public final Integer call() throws Exception {
    check();
    return withTools(this::run);
  }
}
