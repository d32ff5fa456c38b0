package dev.soma.resilience.api;

import io.vertx.core.http.HttpServerRequest;
import java.util.Optional;

/**
 * The credential a request presents: the token of its {@code Authorization: Bearer <token>} header
 * (RFC 6750; the scheme in any case, the token trimmed). Both the tenants' API keys ({@link
 * TenantGate}) and the admin token ({@link AdminCredential}) are sent this way.
 */
final class BearerToken {

  private static final String SCHEME = "Bearer ";

  private BearerToken() {}

  /** The token, or empty when the request has no {@code Authorization} header of that scheme. */
  static Optional<String> of(HttpServerRequest request) {
    String authorization = request.getHeader("Authorization");
    if (authorization == null
        || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return Optional.empty();
    }
    return Optional.of(authorization.substring(SCHEME.length()).trim());
  }
}
