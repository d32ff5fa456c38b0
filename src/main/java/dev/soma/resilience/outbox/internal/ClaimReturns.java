package dev.soma.resilience.outbox.internal;

import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Hands on a relay's claims' results in the order the claims started. Two claims of one relay may
 * take rows of one aggregate: the later one takes its rows as following the earlier one's, which
 * this relay still leases (the order rule of {@code ClaimSql.CLAIM}), so its batch must reach the
 * send path after the earlier one's. Their answers come back on two connections and may arrive in
 * either order: the later claim runs as soon as the earlier one's commit releases the bucket's
 * lock, which may be before that commit's answer reaches the relay (seen on a loaded machine as an
 * aggregate's two events published in the wrong order). So a claim that comes back early waits for
 * every earlier one; a claim's round trip is a few milliseconds, and so is the wait. Event-loop
 * confined.
 */
final class ClaimReturns {

  private final TreeSet<Long> outstanding = new TreeSet<>();
  private final TreeMap<Long, Runnable> returned = new TreeMap<>();

  /** Claim {@code claim} was sent. */
  void started(long claim) {
    outstanding.add(claim);
  }

  /**
   * Claim {@code claim} came back (with rows, none, or failed): runs {@code then} once every
   * earlier claim has come back and been run, and with it the later ones that were waiting for it.
   */
  void returned(long claim, Runnable then) {
    returned.put(claim, then);
    while (!returned.isEmpty() && returned.firstKey().equals(outstanding.first())) {
      long next = returned.firstKey();
      outstanding.remove(next);
      returned.remove(next).run();
    }
  }
}
