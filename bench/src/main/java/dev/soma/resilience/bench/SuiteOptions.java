package dev.soma.resilience.bench;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name=value} arguments of the failover and API suites, read one by one with their
 * defaults; {@link #rejectUnknown()} then fails on anything that was not read, so a typo does not
 * silently run the defaults.
 */
final class SuiteOptions {

  private final Map<String, String> given = new HashMap<>();
  private final Set<String> read = new HashSet<>();

  SuiteOptions(String[] args) {
    for (String arg : args) {
      if (!arg.startsWith("--") || !arg.contains("=")) {
        throw new IllegalArgumentException("arguments are --name=value, but got '" + arg + "'");
      }
      String[] kv = arg.substring(2).split("=", 2);
      given.put(kv[0], kv[1]);
    }
  }

  int number(String name, int fallback, int min) {
    read.add(name);
    String raw = given.get(name);
    if (raw == null) {
      return fallback;
    }
    int value;
    try {
      value = Integer.parseInt(raw.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a whole number, but was '"
          + raw + "'");
    }
    if (value < min) {
      throw new IllegalArgumentException("--" + name + " must be at least " + min + ", but was "
          + value);
    }
    return value;
  }

  String text(String name, String fallback) {
    read.add(name);
    return given.getOrDefault(name, fallback);
  }

  void rejectUnknown() {
    Set<String> unknown = new HashSet<>(given.keySet());
    unknown.removeAll(read);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown option(s): " + unknown);
    }
  }
}
