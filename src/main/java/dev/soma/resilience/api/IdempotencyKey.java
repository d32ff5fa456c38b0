package dev.soma.resilience.api;

import dev.soma.resilience.common.http.Problem;
import dev.soma.resilience.idempotency.IdempotentRequests;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;

/**
 * The {@value #HEADER} a client sends to make a creating request safe to retry: 1-255 visible ASCII
 * characters (400 otherwise), and the request's fingerprint that tells a retry (the same method,
 * path and body) from another request sent with the same key (422: {@link #reused}).
 */
final class IdempotencyKey {

  static final String HEADER = "Idempotency-Key";

  private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");

  private IdempotencyKey() {}

  /** Fails {@code ctx} with 400 when {@code key} is not a valid key; says whether it did. */
  static boolean malformed(RoutingContext ctx, String key) {
    if (KEY.matcher(key).matches()) {
      return false;
    }
    ctx.fail(Problem.badRequest(HEADER + " must be 1-255 visible ASCII characters"));
    return true;
  }

  /** The fingerprint of {@code ctx}'s request: its method, path and body. */
  static String fingerprint(RoutingContext ctx) {
    return IdempotentRequests.fingerprint(
        ctx.request().method().name(),
        ctx.request().path(),
        ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
  }

  /** 422: the key was sent before with another request. */
  static Problem reused() {
    return Problem.unprocessable("this " + HEADER + " was used for a different request");
  }
}
