package dev.soma.resilience.failover.llm.internal;

import dev.soma.resilience.failover.breaker.CallOutcome;
import java.time.Duration;
import java.util.Optional;

/**
 * A call to a provider did not produce a complete answer. Stackless: it is flow control, frequent
 * while a provider is down.
 */
public final class ProviderFailure extends RuntimeException {

  /** What went wrong; {@link #outcome()} says how each kind counts on the breakers. */
  public enum Kind {
    /** Connection refused, reset or failed before an answer started. */
    UNREACHABLE("unreachable"),
    /** No first token, too long between tokens, or the attempt's time ran out. */
    TIMEOUT("timeout"),
    /** HTTP 429. Counted against the provider: its keys are ours, shared by every tenant. */
    RATE_LIMITED("rate limited"),
    /** HTTP 5xx (or another status that is not the caller's fault), or an error event. */
    PROVIDER_ERROR("provider error"),
    /** HTTP 401, 403, 404: our key, base URL or model name is wrong. An operator must act. */
    MISCONFIGURED("misconfigured"),
    /** 2xx with a body that is not the wire format. */
    MALFORMED("malformed answer"),
    /** A stream that ended without its terminator. */
    CUT_OFF("stream cut off"),
    /** HTTP 400, 413, 422: the request itself is wrong; another provider would refuse it too. */
    REJECTED("rejected");

    private final String reason;

    Kind(String reason) {
      this.reason = reason;
    }

    /** A short reason, as written in a reply's failovers. */
    public String reason() {
      return reason;
    }
  }

  private final Kind kind;
  private final int status;
  private final Optional<Duration> retryAfter;

  public ProviderFailure(Kind kind, int status, String message, Optional<Duration> retryAfter) {
    super(message, null, false, false);
    this.kind = kind;
    this.status = status;
    this.retryAfter = retryAfter;
  }

  public ProviderFailure(Kind kind, String message) {
    this(kind, 0, message, Optional.empty());
  }

  public Kind kind() {
    return kind;
  }

  /** The HTTP status, or 0 when there was none. */
  public int status() {
    return status;
  }

  /** The provider's Retry-After, when it gave one (429). */
  public Optional<Duration> retryAfter() {
    return retryAfter;
  }

  /** How this failure counts on the breakers. */
  public CallOutcome outcome() {
    return kind == Kind.REJECTED ? CallOutcome.CALLER_FAULT : CallOutcome.DEPENDENCY_FAILURE;
  }

  /** The failure as a failover reason: kind, and status when there was one. */
  public String reason() {
    return status == 0 ? kind.reason() : kind.reason() + " (HTTP " + status + ")";
  }
}
