package dev.soma.resilience.tenant.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether Redis answers the rate limiter, and when to ask it again while it does not: every request
 * asks it while it answers; during an outage one request per {@code askAgainEvery} does (the others
 * do not wait for a Redis that is down or slow), and the first answer ends the outage. {@link
 * #failed} and {@link #answered} say when an outage begins and ends, so each is logged once.
 *
 * <p>Thread-safe and lock-free: every event loop of a process shares one.
 */
public final class RedisOutage {

  private static final long ANSWERING = Long.MIN_VALUE;

  private final Clock clock;
  private final long askAgainMillis;
  private final AtomicLong askAgainAt = new AtomicLong(ANSWERING);

  public RedisOutage(Clock clock, Duration askAgainEvery) {
    this.clock = clock;
    this.askAgainMillis = askAgainEvery.toMillis();
  }

  /**
   * Whether this request should ask Redis: yes while it answers; during an outage, yes for the
   * first request once {@code askAgainEvery} has passed since Redis was last asked, no for the
   * others.
   */
  public boolean mayAsk() {
    long at = askAgainAt.get();
    if (at == ANSWERING) {
      return true;
    }
    long now = clock.millis();
    return now >= at && askAgainAt.compareAndSet(at, now + askAgainMillis);
  }

  /** Redis did not answer a request; true when that begins an outage. */
  public boolean failed() {
    return askAgainAt.compareAndSet(ANSWERING, clock.millis() + askAgainMillis);
  }

  /** Redis answered a request; true when that ends an outage. */
  public boolean answered() {
    return askAgainAt.get() != ANSWERING && askAgainAt.getAndSet(ANSWERING) != ANSWERING;
  }

  /** Whether Redis is taken to be down now. */
  public boolean ongoing() {
    return askAgainAt.get() != ANSWERING;
  }
}
