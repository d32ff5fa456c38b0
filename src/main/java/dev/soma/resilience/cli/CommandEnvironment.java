package dev.soma.resilience.cli;

import java.util.Map;

/**
 * The top command of a command line: where its subcommands read their {@code SA01_*} settings (the
 * process's environment, or a test's own map).
 */
public interface CommandEnvironment {

  Map<String, String> env();
}
