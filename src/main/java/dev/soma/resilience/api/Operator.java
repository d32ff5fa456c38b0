package dev.soma.resilience.api;

import dev.soma.resilience.common.http.Problem;
import io.vertx.ext.web.RoutingContext;

/**
 * Who is acting on a mutating admin request: the admin credential is shared and names nobody, so
 * every such request says who sends it, in the {@value #HEADER} header or, where the request has a
 * JSON body, its {@code operator} field (the header wins). Without either it is a 400, the same for
 * every admin endpoint that changes something; read-only ones do not ask.
 */
final class Operator {

  static final String HEADER = "X-Operator";

  /** The body field naming the operator, allowed in every mutating admin request body. */
  static final String FIELD = "operator";

  private static final int MAX = 200;

  private Operator() {}

  /**
   * The operator of {@code ctx}: its {@value #HEADER} header, else {@code body}'s {@code operator}
   * (when there is a body), trimmed.
   *
   * @throws Problem 400 when neither names someone in 1-200 characters
   */
  static String of(RoutingContext ctx, JsonBody body) {
    String operator = ctx.request().getHeader(HEADER);
    if (operator != null && !operator.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
      // a header is read as ISO-8859-1: a UTF-8 name there would be audited garbled
      throw Problem.badRequest(
          "the '"
              + HEADER
              + "' header must be printable ASCII; send another name in the body's '"
              + FIELD
              + "'");
    }
    if ((operator == null || operator.isBlank()) && body != null) {
      operator = body.optionalString(FIELD, MAX);
      if (operator != null && operator.chars().anyMatch(Character::isISOControl)) {
        throw Problem.badRequest("the body's '" + FIELD + "' must not hold a control character");
      }
    }
    if (operator == null || operator.isBlank() || operator.length() > MAX) {
      throw Problem.badRequest(
          "say who is acting: the '"
              + HEADER
              + "' header or the body's '"
              + FIELD
              + "' (1-"
              + MAX
              + " characters)");
    }
    return operator.trim();
  }
}
