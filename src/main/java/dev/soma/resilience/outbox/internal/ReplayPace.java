package dev.soma.resilience.outbox.internal;

import java.time.Clock;
import java.util.function.IntSupplier;

/**
 * How many due replayed rows this relay may move to pending now: operators' replays together go at
 * most at {@code outbox.replayRate} rows per second, each of the cluster's relays taking an equal
 * share, whatever the rows' due times say. The due times spread one replay's rows; this caps what
 * falls due at once: a replay whose own transaction outlasted its first due times (a 100,000-row
 * replay commits seconds after it began, and every row due by then fell due at its commit), two
 * replays at once, or rows that fell due while no relay ran (docs/PERFORMANCE.md, Issue 17). A
 * token bucket holding at most one second of the share. Event-loop confined.
 */
final class ReplayPace {

  private final int rate;
  private final IntSupplier relays;
  private final Clock clock;
  private double tokens;
  private long refilledAt;

  ReplayPace(int rate, IntSupplier relays, Clock clock) {
    this.rate = rate;
    this.relays = relays;
    this.clock = clock;
    this.tokens = share();
    this.refilledAt = clock.millis();
  }

  /** The rows this relay may release now. */
  int available() {
    long now = clock.millis();
    double share = share();
    tokens = Math.min(share, tokens + share * (now - refilledAt) / 1000.0);
    refilledAt = now;
    return (int) tokens;
  }

  /** Counts {@code rows} released. */
  void spent(int rows) {
    tokens = Math.max(0, tokens - rows);
  }

  /** This relay's rows per second (at least one). */
  private double share() {
    return Math.max(1.0, (double) rate / Math.max(1, relays.getAsInt()));
  }
}
