package dev.soma.resilience.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The Markdown summary of the failover or API suite: lines added as phases finish, printed and
 * written to {@code bench/results/<timestamp>-<suite>.md} at the end.
 */
final class SuiteReport {

  private final String suite;
  private final StringBuilder text = new StringBuilder();
  private final String stamp =
      LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));

  SuiteReport(String suite, String title) {
    this.suite = suite;
    line("# " + title);
    line("");
    line(String.format("Run %s on %s cores (%s), %s GiB, Java %s.", stamp,
        Runtime.getRuntime().availableProcessors(), Machine.cpuModel(), Machine.memoryGib(),
        System.getProperty("java.version")));
    line("");
  }

  SuiteReport line(String line) {
    text.append(line).append('\n');
    return this;
  }

  SuiteReport line(String format, Object... args) {
    return line(String.format(format, args));
  }

  /** A phase's CPU split, as a sentence. */
  static String cpu(CpuAccounting.Usage usage) {
    return String.format("benchmark's processes %.0f%%, other processes %.0f%% of the CPUs",
        100 * usage.ours(), 100 * usage.others());
  }

  void write(Path dir) throws IOException {
    System.out.println();
    System.out.print(text);
    Files.createDirectories(dir);
    Path file = dir.resolve(stamp + "-" + suite + ".md");
    Files.writeString(file, text);
    System.out.println("written to " + file);
  }
}
