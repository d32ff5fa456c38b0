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
