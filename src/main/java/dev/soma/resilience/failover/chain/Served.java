package dev.soma.resilience.failover.chain;

import java.util.List;

/**
 * What a chain produced: the link that served ({@link Link#name()}), its answer, and the hops the
 * walk took to get there (empty when the first link that could be called served).
 */
public record Served<R>(String provider, R result, List<Hop> failovers) {

  public Served {
    failovers = List.copyOf(failovers);
  }
}
