package dev.soma.resilience.cli;

import dev.soma.resilience.outbox.OutboxFilter;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The outbox commands' filter: the shared {@link FilterOptions} and {@code --dedupe-key-prefix};
 * each command has its own {@code --status}, since the statuses it takes differ.
 */
final class OutboxFilterOptions {

  @Mixin FilterOptions filters;

  @Option(
      names = "--dedupe-key-prefix",
      paramLabel = "PREFIX",
      description = "Dedupe key starts with this.")
  String prefix;

  /** The outbox filter of these options and {@code status}; a bad value is a usage error. */
  OutboxFilter filter(CommandSpec spec, String status) {
    Map<String, String> more = new HashMap<>();
    if (status != null) {
      more.put("status", status);
    }
    if (prefix != null) {
      more.put("dedupeKeyPrefix", prefix);
    }
    return FilterOptions.parse(spec, OutboxFilter::parse, filters.fields(more));
  }
}
