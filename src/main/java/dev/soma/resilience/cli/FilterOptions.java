package dev.soma.resilience.cli;

import dev.soma.resilience.outbox.DeadLetterFilter;
import dev.soma.resilience.outbox.OutboxFilter;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The filter options the outbox and dead-letter commands share, named after the filters' fields in
 * kebab case ({@code errorClass} is {@code --error-class}). A bad value is a usage error (one line,
 * exit code 2) naming the option.
 */
final class FilterOptions {

  private static final Pattern FIELD = Pattern.compile("'([a-zA-Z]+)'");

  @Option(names = "--tenant", paramLabel = "ID", description = "Only this tenant's.")
  String tenant;

  @Option(names = "--topic", description = "Only this Kafka topic's.")
  String topic;

  @Option(
      names = "--error-class",
      paramLabel = "CLASS",
      description = "Only those that died with this exception class.")
  String errorClass;

  @Option(
      names = "--from",
      paramLabel = "TIME",
      description = "At or after this RFC 3339 time, like 2026-12-01T10:00:00Z.")
  String from;

  @Option(names = "--to", paramLabel = "TIME", description = "Before this RFC 3339 time.")
  String to;

  /** The given options by filter field name, with {@code more} (field name to value) added. */
  Map<String, String> fields(Map<String, String> more) {
    Map<String, String> fields = new HashMap<>();
    put(fields, "tenant", tenant);
    put(fields, "topic", topic);
    put(fields, "errorClass", errorClass);
    put(fields, "from", from);
    put(fields, "to", to);
    more.forEach((field, value) -> put(fields, field, value));
    return fields;
  }

  /**
   * {@code parser} applied to {@code fields}; its {@link IllegalArgumentException} becomes a usage
   * error of {@code spec}'s command with the fields named as options.
   */
  static <T> T parse(
      CommandSpec spec, Function<Function<String, String>, T> parser, Map<String, String> fields) {
    try {
      return parser.apply(fields::get);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), asOptions(e.getMessage()));
    }
  }

  /**
   * {@code 'errorClass' must ...} as {@code --error-class must ...}: quoted filter field names
   * become options; other quoted words (values, quoted back as given) stay as they are.
   */
  static String asOptions(String message) {
    Matcher m = FIELD.matcher(message);
    StringBuilder s = new StringBuilder();
    while (m.find()) {
      String word = m.group(1);
      m.appendReplacement(
          s,
          Matcher.quoteReplacement(
              OutboxFilter.FIELDS.contains(word) || DeadLetterFilter.FIELDS.contains(word)
                  ? "--" + word.replaceAll("([A-Z])", "-$1").toLowerCase()
                  : m.group()));
    }
    return m.appendTail(s).toString();
  }

  private static void put(Map<String, String> fields, String field, String value) {
    if (value != null) {
      fields.put(field, value);
    }
  }
}
