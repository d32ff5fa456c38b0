package dev.soma.resilience.cli;

import dev.soma.resilience.Application;
import dev.soma.resilience.outbox.OutboxReplay;
import java.util.NoSuchElementException;

/**
 * An operator command that does one thing with the service's tools (the migrated pool, the
 * producer): it refuses bad options before anything starts ({@link #check}), then starts the tools,
 * runs {@link #run} on them and stops them. An unknown or invalid target ({@link
 * NoSuchElementException}, {@link IllegalArgumentException}) or a selection too large ({@link
 * OutboxReplay.TooLarge}) is one line on standard error and exit code 1.
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
    try (Application app = Application.start(config(), Application.Role.TOOLS)) {
      return run(app);
    } catch (NoSuchElementException | IllegalArgumentException | OutboxReplay.TooLarge e) {
      err().println(e.getMessage());
      return 1;
    }
  }
}
