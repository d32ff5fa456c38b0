package dev.soma.resilience.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Request bodies that are wrong in many ways: broken JSON, wrong types, missing or unknown fields.
 */
final class MalformedBodies {

  private static final String[] SEEDS = {
    "",
    "{",
    "}",
    "[]",
    "null",
    "42",
    "\"text\"",
    "{\"content\":}",
    "{'content':'x'}",
    "{\"content\":null}",
    "{\"content\":42}",
    "{\"content\":[]}",
    "{\"content\":{}}",
    "{\"content\":\"\"}",
    "{\"content\":\"   \"}",
    "{\"contnet\":\"typo\"}",
    "{\"content\":\"x\",\"tenant\":\"someone-else\"}",
    "{\"content\":\"x\",\"role\":\"root\"}",
    "{\"content\":\"x\",\"messageId\":\"has space\"}",
    "{\"content\":\"x\",\"messageId\":7}",
    "{\"content\":\"x\",\"metadata\":\"not an object\"}",
    "{\"executionId\":\"e\"}",
    "{\"executionId\":\"e\",\"toolName\":\"t\"}",
    "{\"executionId\":\"e\",\"toolName\":\"t\"," + "\"result\":1,\"status\":\"maybe\"}",
    "\u0000\u0001",
    "{\"content\":\"\\ud800\"",
    "{\"content\":\"x\"}garbage",
    "{\"a\":" + "[".repeat(50) + "]",
  };

  private MalformedBodies() {}

  /** {@code n} malformed bodies: the seeds, then random mutations of them (deterministic). */
  static List<String> generate(int n, long seed) {
    Random random = new Random(seed);
    List<String> bodies = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String base = SEEDS[i % SEEDS.length];
      bodies.add(i < SEEDS.length ? base : mutate(base, random));
    }
    return bodies;
  }

  private static String mutate(String body, Random random) {
    StringBuilder s = new StringBuilder(body);
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits; e++) {
      int at = s.length() == 0 ? 0 : random.nextInt(s.length());
      switch (random.nextInt(4)) {
        case 0 -> s.insert(at, "{}[]\",:\\x0".charAt(random.nextInt(10)));
        case 1 -> {
          if (s.length() > 0) {
            s.deleteCharAt(at);
          }
        }
        case 2 -> s.insert(at, "\"content\":");
        default -> s.append(random.nextBoolean() ? "}" : "{\"extra\":1}");
      }
    }
    // a mutation can turn a bad body into a good one; keep it invalid by an unknown field
    return s.indexOf("\"content\":\"") >= 0 && s.toString().startsWith("{")
        ? s + "]"
        : s.toString();
  }
}
