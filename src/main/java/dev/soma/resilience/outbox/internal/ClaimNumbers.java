package dev.soma.resilience.outbox.internal;

import java.util.TreeSet;

/**
 * Numbers a relay's claims in the order they start (from 1), and knows which are still open: not
 * yet come back empty, failed, or had their batch settled. {@link OrderFences} works with these
 * numbers. Not thread-safe: confined to the relay's event loop.
 */
final class ClaimNumbers {

  private final TreeSet<Long> open = new TreeSet<>();
  private long started;

  /** A claim starts: its number. */
  long start() {
    open.add(++started);
    return started;
  }

  /** Claim {@code claim} is over: it brought nothing, failed, or its batch is settled. */
  void closed(long claim) {
    open.remove(claim);
  }

  /** How many claims have been started. */
  long started() {
    return started;
  }

  /** The oldest claim still open, or the next one to start when none is. */
  long oldestOpen() {
    return open.isEmpty() ? started + 1 : open.first();
  }
}
