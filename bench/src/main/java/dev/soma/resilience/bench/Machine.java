package dev.soma.resilience.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the benchmark ran on, read from {@code /proc} (Linux); "?" elsewhere. */
final class Machine {

  private Machine() {}

  static String cpuModel() {
    return field("/proc/cpuinfo", "model name");
  }

  static String memoryGib() {
    String kb = field("/proc/meminfo", "MemTotal").replaceAll("\\D", "");
    return kb.isEmpty() ? "?" : Long.toString(Math.round(Long.parseLong(kb) / 1048576.0));
  }

  /** The 1, 5 and 15 minute load averages, e.g. {@code 2.10 1.85 1.40}, or "?". */
  static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  private static String field(String file, String name) {
    try {
      for (String line : Files.readAllLines(Path.of(file))) {
        if (line.startsWith(name)) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return "?";
  }
}
