package dev.soma.resilience.cli;

import dev.soma.resilience.common.audit.AdminAudit;
import io.vertx.core.json.JsonObject;
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

  /** The name, trimmed; refuses a blank one, or one with a control character. */
  String name() {
    OptionRules.nonBlank("--operator", name);
    OptionRules.shortText("--operator", name, 200);
    return name.trim();
  }

  /**
   * The audit entry of a change by this operator, as the admin API writes one: {@code request} with
   * the {@code reason}, when one is given; the change counts the rows it affects.
   */
  AdminAudit.Entry entry(String action, JsonObject request, String reason, boolean dryRun) {
    if (reason != null) {
      request.put("reason", reason);
    }
    return new AdminAudit.Entry(name(), action, request, 0, dryRun);
  }
}
