package dev.soma.resilience.failover.llm.internal;

import dev.soma.resilience.failover.chain.ProviderFailure;
import dev.soma.resilience.failover.chain.RetryAfter;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Clock;

/** What a provider's non-2xx answer means for the chain: its status, its words, its Retry-After. */
final class ErrorAnswers {

  private ErrorAnswers() {}

  static ProviderFailure failure(Clock clock, int status, MultiMap headers, Buffer body) {
    return ProviderFailure.ofStatus(
        status, "HTTP " + status + ": " + detail(body), RetryAfter.from(headers::get, clock));
  }

  /** The provider's own error message when the body is its JSON error shape, else the text. */
  static String detail(Buffer body) {
    if (body == null || body.length() == 0) {
      return "(no body)";
    }
    String text = body.toString();
    try {
      JsonObject error = new JsonObject(text).getJsonObject("error");
      if (error != null && error.getString("message") != null) {
        return error.getString("message");
      }
    } catch (RuntimeException notJson) {
      // fall through to the raw text
    }
    return text.length() > 300 ? text.substring(0, 300) + "..." : text;
  }
}
