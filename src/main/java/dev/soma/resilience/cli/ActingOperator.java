package dev.soma.resilience.cli;

import picocli.CommandLine.Option;

/**
 * {@code --operator NAME} (alias {@code --by}): who makes a change, kept on the rows it changes and
 * in the audit trail. Required on every command that changes something, as the admin API requires
 * {@code X-Operator}: nothing on a command line says reliably who typed it.
 */
final class ActingOperator {

  @Option(
      names = {"--operator", "--by"},
      required = true,
      paramLabel = "NAME",
      description = "Who is acting (kept on the changed rows and in the audit trail).")
  String name;

  /** The name, trimmed; refuses a blank one. */
  String name() {
    OperatorCommand.nonBlank("--operator", name);
    return name.trim();
  }
}
