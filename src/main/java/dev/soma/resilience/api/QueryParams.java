package dev.soma.resilience.api;

import dev.soma.resilience.common.http.Problem;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.TreeSet;

/**
 * The query parameters of a list endpoint, read strictly: a misspelt filter must not widen a list
 * silently, nor a misspelt value narrow it.
 */
final class QueryParams {

  private QueryParams() {}

  /**
   * A route's first handler: a 400 unless every query parameter is one of {@code names} (none when
   * empty). Every route of the API declares its parameters this way: a misspelt {@code ?tenat=}
   * never widens an admin change to every tenant, nor does {@code ?namespace=} on a route that
   * reads it from the body pass for a setting.
   */
  static Handler<RoutingContext> only(String... names) {
    return only(Set.of(names));
  }

  /** {@link #only(String...)} of a set. */
  static Handler<RoutingContext> only(Set<String> known) {
    return ctx -> {
      known(ctx, known);
      ctx.next();
    };
  }

  /** A 400 unless every query parameter of the request is one of {@code known}. */
  static void known(RoutingContext ctx, Set<String> known) {
    for (String name : ctx.queryParams().names()) {
      if (!known.contains(name)) {
        throw Problem.badRequest(
            "unknown query parameter '"
                + StoredText.clip(name, 64)
                + "'"
                + (known.isEmpty() ? "; this endpoint takes none" : "; known: " + sorted(known)));
      }
    }
  }

  /** Parameter {@code name}, given at most once; null when absent. */
  static String single(RoutingContext ctx, String name) {
    if (ctx.queryParams().getAll(name).size() > 1) {
      throw Problem.badRequest("'" + name + "' may be given once");
    }
    return ctx.queryParams().get(name);
  }

  /** Parameter {@code name} given at most once and not empty; null when absent. */
  static String nonEmpty(RoutingContext ctx, String name) {
    String value = single(ctx, name);
    if (value != null && value.isEmpty()) {
      throw Problem.badRequest("'" + name + "' must not be empty (leave it out instead)");
    }
    return value;
  }

  /** Parameter {@code name} as {@code true} or {@code false}; false when absent. */
  static boolean flag(RoutingContext ctx, String name) {
    String value = single(ctx, name);
    if (value == null || value.equals("false")) {
      return false;
    }
    if (value.equals("true")) {
      return true;
    }
    throw Problem.badRequest("'" + name + "' must be true or false");
  }

  /**
   * The {@code ?limit=} of a list endpoint: a whole number from 1 to {@code max}; {@code max} when
   * absent.
   */
  static int limit(RoutingContext ctx, int max) {
    String value = single(ctx, "limit");
    if (value == null) {
      return max;
    }
    try {
      int limit = Integer.parseInt(value.trim());
      if (limit >= 1 && limit <= max) {
        return limit;
      }
    } catch (NumberFormatException notANumber) {
      // answered below, like a number out of range
    }
    throw Problem.badRequest("'limit' must be a whole number from 1 to " + max);
  }

  private static String sorted(Set<String> names) {
    return String.join(", ", new TreeSet<>(names));
  }
}
