package dev.soma.resilience.api;

import java.util.regex.Pattern;

/**
 * A route's path as Vert.x Web declares it ({@code /a/:id/b}, {@code /a/*}) read as a pattern over
 * request paths: a {@code :name} segment matches one non-empty segment, a trailing {@code *}
 * matches nothing or any rest of the path, every other segment only itself.
 */
final class RouteTemplate {

  private RouteTemplate() {}

  /** The pattern that request paths served by a route declared with {@code path} match. */
  static Pattern of(String path) {
    StringBuilder regex = new StringBuilder();
    for (String segment : path.split("/", -1)) {
      if (regex.length() > 0 || !segment.isEmpty()) {
        regex.append('/');
      }
      if (segment.startsWith(":")) {
        regex.append("[^/]+");
      } else if (segment.equals("*")) {
        regex.setLength(Math.max(0, regex.length() - 1));
        regex.append("(/.*)?");
      } else {
        regex.append(Pattern.quote(segment));
      }
    }
    return Pattern.compile(regex.toString());
  }
}
