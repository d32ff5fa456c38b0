package dev.soma.resilience.api;

import dev.soma.resilience.common.http.Problem;
import io.vertx.ext.web.RoutingContext;

/** The {@code ?limit=} of a list endpoint: a whole number from 1 to the endpoint's maximum. */
final class QueryLimit {

  private QueryLimit() {}

  /** The request's limit; {@code max} when absent; a 400 {@link Problem} when not in range. */
  static int of(RoutingContext ctx, int max) {
    String value = ctx.queryParams().get("limit");
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
}
