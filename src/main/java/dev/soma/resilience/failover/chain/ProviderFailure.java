package dev.soma.resilience.failover.chain;

import dev.soma.resilience.breaker.CallOutcome;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * The one way a link of a {@link FallbackChain} says it did not serve: what happened ({@link Kind},
 * which also fixes how it counts on the breakers and whether the walk goes on), the HTTP status
 * when there was one, and how long the provider asked to be left alone (Retry-After on 429 or 503).
 * Stackless: it is flow control, frequent while a provider is down.
 */
public final class ProviderFailure extends RuntimeException {

  /**
   * What went wrong, as a rule table: the reason written in failovers, how it counts on the
   * breakers, whether the call still showed the provider working (for the degradation monitor), and
   * whether the walk ends here instead of failing over.
   */
  public enum Kind {
    /** Connection refused, reset or failed before an answer started. */
    UNREACHABLE("unreachable", CallOutcome.DEPENDENCY_FAILURE, false, false),
    /** No (first) token or answer in time. */
    TIMEOUT("timeout", CallOutcome.DEPENDENCY_FAILURE, false, false),
    /** HTTP 429. Counted against the provider: its keys are ours, shared by every tenant. */
    RATE_LIMITED("rate limited", CallOutcome.DEPENDENCY_FAILURE, false, false),
    /** HTTP 5xx (or another status that is not the caller's fault), or an error event. */
    PROVIDER_ERROR("provider error", CallOutcome.DEPENDENCY_FAILURE, false, false),
    /** HTTP 401, 403, 404: our key, base URL or model name is wrong. An operator must act. */
    MISCONFIGURED("misconfigured", CallOutcome.DEPENDENCY_FAILURE, false, false),
    /** 2xx with a body that is not the wire format. */
    MALFORMED("malformed answer", CallOutcome.DEPENDENCY_FAILURE, false, false),
    /** A stream that ended without its terminator. */
    CUT_OFF("stream cut off", CallOutcome.DEPENDENCY_FAILURE, false, false),
    /** The link is fine but cannot take this one (saturated, too large): no breaker, fails over. */
    DECLINED("declined", CallOutcome.CALLER_FAULT, false, false),
    /** The link answered that it does not have what was asked: a success; look further. */
    NOT_FOUND("does not have it", CallOutcome.SUCCESS, true, false),
    /** HTTP 400, 413, 422: the request itself is wrong; another provider would refuse it too. */
    REJECTED("rejected", CallOutcome.CALLER_FAULT, true, true);

    private final String reason;
    private final CallOutcome outcome;
    private final boolean providerWorked;
    private final boolean endsWalk;

    Kind(String reason, CallOutcome outcome, boolean providerWorked, boolean endsWalk) {
      this.reason = reason;
      this.outcome = outcome;
      this.providerWorked = providerWorked;
      this.endsWalk = endsWalk;
    }

    /** A short reason, as written in a reply's failovers. */
    public String reason() {
      return reason;
    }

    /** How a failure of this kind counts on the breakers. */
    public CallOutcome outcome() {
      return outcome;
    }

    /** Whether the call still showed the provider working (reported ok to the monitor). */
    public boolean providerWorked() {
      return providerWorked;
    }

    /** Whether the walk stops here: another link would answer the same. */
    public boolean endsWalk() {
      return endsWalk;
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

  /**
   * A provider's non-2xx answer: 400/413/422 rejected, 401/403/404 misconfigured, 408 timeout, 429
   * rate limited, anything else a provider error. {@code retryAfter} is kept on 429 and 503 only.
   */
  public static ProviderFailure ofStatus(int status, String detail, Optional<Duration> retryAfter) {
    Kind kind =
        switch (status) {
          case 400, 413, 422 -> Kind.REJECTED;
          case 401, 403, 404 -> Kind.MISCONFIGURED;
          case 408 -> Kind.TIMEOUT;
          case 429 -> Kind.RATE_LIMITED;
          default -> Kind.PROVIDER_ERROR;
        };
    boolean honoured = status == 429 || status == 503;
    return new ProviderFailure(
        kind, status, detail, honoured ? retryAfter : Optional.<Duration>empty());
  }

  /** A 2xx answer whose body is not what the wire format promises. */
  public static ProviderFailure malformed(String provider, String what) {
    return new ProviderFailure(Kind.MALFORMED, provider + " answered malformed: " + what);
  }

  /** {@code link} does not have what was asked (a typed result, not a failure of the link). */
  public static ProviderFailure notFound(String link) {
    return new ProviderFailure(Kind.NOT_FOUND, link + " " + Kind.NOT_FOUND.reason());
  }

  /** {@code failure} itself, or any other failure typed: a timeout, else a provider error. */
  public static ProviderFailure of(Throwable failure) {
    if (failure instanceof ProviderFailure typed) {
      return typed;
    }
    Kind kind = failure instanceof TimeoutException ? Kind.TIMEOUT : Kind.PROVIDER_ERROR;
    return new ProviderFailure(kind, String.valueOf(failure.getMessage()));
  }

  public Kind kind() {
    return kind;
  }

  /** The HTTP status, or 0 when there was none. */
  public int status() {
    return status;
  }

  /** How long the provider asked not to be called (Retry-After on 429 or 503), when it said. */
  public Optional<Duration> retryAfter() {
    return retryAfter;
  }

  /** The failure as a failover reason: kind, and status when there was one. */
  public String reason() {
    return status == 0 ? kind.reason() : kind.reason() + " (HTTP " + status + ")";
  }
}
