package dev.soma.resilience.cli;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.Arrays;

/**
 * The text form of {@code journal inspect}'s report ({@code JournalInspection}), for a person at a
 * terminal: a summary line (records waiting, the checkpoint, quarantined files), then one indented
 * line per segment (size, records, corruption) and one per group of records (state, kind, tenant,
 * count). {@code --json} prints the report itself instead.
 */
final class InspectionText {

  private static final String SUMMARY =
      "journal %s: %d record(s) waiting, replayed through #%d, %d quarantined file(s)%n";
  private static final String SEGMENT =
      "  %s  %d bytes  %d record(s)  torn tail %d bytes  %d corrupt range(s)  %d unreadable%n";
  private static final String GROUP = "  %-8s %-28s %-24s %d%n";

  private InspectionText() {}

  static void print(JsonObject report, PrintWriter out) {
    out.printf(SUMMARY, fields(report, "dir", "waiting", "replayedThrough", "quarantinedFiles"));
    for (Object segment : report.getJsonArray("segments")) {
      out.printf(
          SEGMENT,
          fields(
              (JsonObject) segment,
              "file",
              "bytes",
              "records",
              "tornTailBytes",
              "corruptRanges",
              "unreadableRecords"));
    }
    for (Object group : report.getJsonArray("records")) {
      out.printf(GROUP, fields((JsonObject) group, "state", "kind", "tenant", "records"));
    }
  }

  /** The values of {@code names} in {@code line}, in that order, for its format. */
  private static Object[] fields(JsonObject line, String... names) {
    return Arrays.stream(names).map(line::getValue).toArray();
  }
}
