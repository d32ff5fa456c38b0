package dev.soma.resilience.cluster;

import java.time.Clock;

/**
 * Which node runs a part of which one runs per cluster (the degradation monitor): the leader. On a
 * node that runs alone it is always that node. In a cluster it is the oldest member whose roles
 * include the part's role: every member sees the members in the same order, so each decides for
 * itself, without a vote or a lock, and a member that leaves (killed, cut off, stopped) hands the
 * part to the next oldest as soon as the others drop it.
 */
public interface Leadership {

  /** Whether this node is the leader now. */
  boolean isLeader();

  /**
   * A number that grows with each new leader (the cluster's time, in milliseconds, when asked):
   * what a leader sends carries it, so that a receiver can drop what an earlier leader sent.
   */
  long epoch();

  /** The leader's name for the logs, or "none". */
  String leader();

  /** Calls {@code listener} (on some other thread) whenever the members change. */
  void onChange(Runnable listener);

  /** A node that runs alone: it is always the leader; the epoch is its clock's time. */
  static Leadership alone(Clock clock) {
    return new Leadership() {
      @Override
      public boolean isLeader() {
        return true;
      }

      @Override
      public long epoch() {
        return clock.millis();
      }

      @Override
      public String leader() {
        return "this node";
      }

      @Override
      public void onChange(Runnable listener) {}
    };
  }
}
