package dev.soma.resilience.failover.chain;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A walk ended without an answer, and why. Stackless: it is flow control during an outage. The
 * chain's owner decides what it means for its caller (an error reply, a last resort, a queue).
 */
public final class ChainExhausted extends RuntimeException {

  /** Why the walk ended. */
  public enum Why {
    /** No link of the chain is configured. */
    NOTHING_CONFIGURED,
    /** Every configured link answered that it does not have it: a result, not an outage. */
    NOT_FOUND,
    /** A link refused the request as wrong ({@link ProviderFailure.Kind#endsWalk()}). */
    REJECTED,
    /** A link failed after part of its answer reached the caller: failing over would repeat it. */
    PARTIAL,
    /** The walk's deadline passed. */
    DEADLINE,
    /** Every configured link refused the call (breaker open, held off): none was called. */
    UNAVAILABLE,
    /** Every link that was called failed. */
    FAILED
  }

  private final Why why;
  private final int calls;
  private final Optional<Duration> retryAfter;
  private final List<Hop> failovers;
  private final Optional<String> link;
  private final Optional<ProviderFailure> last;

  ChainExhausted(
      Why why,
      String message,
      int calls,
      Optional<Duration> retryAfter,
      List<Hop> failovers,
      Optional<String> link,
      Optional<ProviderFailure> last) {
    super(message, null, false, false);
    this.why = why;
    this.calls = calls;
    this.retryAfter = retryAfter;
    this.failovers = List.copyOf(failovers);
    this.link = link;
    this.last = last;
  }

  public Why why() {
    return why;
  }

  /** How many links were called. */
  public int calls() {
    return calls;
  }

  /** The shortest wait before any configured link takes calls again, when one is refusing. */
  public Optional<Duration> retryAfter() {
    return retryAfter;
  }

  /** The hops taken before the walk ended. */
  public List<Hop> failovers() {
    return failovers;
  }

  /** {@link Why#REJECTED}, {@link Why#PARTIAL}: the label of the link that ended the walk. */
  public Optional<String> link() {
    return link;
  }

  /** {@link Why#REJECTED}, {@link Why#PARTIAL}: that link's failure. */
  public Optional<ProviderFailure> last() {
    return last;
  }
}
