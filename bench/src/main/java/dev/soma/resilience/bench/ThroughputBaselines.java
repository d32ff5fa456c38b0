package dev.soma.resilience.bench;

import java.util.List;

/**
 * Runs baselines (a) and (b) at the same time, as the relay runs with both PostgreSQL and Kafka
 * busy on one machine, and reports each one's rate while both were running: from the common start
 * to the moment the first of them finished its {@code events}.
 */
final class ThroughputBaselines {

  /**
   * @param claimRate baseline (a), events/s while both ran
   * @param producerRate baseline (b), events/s while both ran
   * @param overlapSeconds how long both ran together
   * @param claimSoloRate baseline (a) over its whole run (alone at the end if it finished last)
   * @param producerSoloRate baseline (b) over its whole run
   */
  record Result(double claimRate, double producerRate, double overlapSeconds,
      double claimSoloRate, double producerSoloRate) {
    double smaller() {
      return Math.min(claimRate, producerRate);
    }
  }

  private ThroughputBaselines() {}

  /** The mean of two rounds of the same measurement, for a steadier baseline. */
  static Result mean(Result x, Result y) {
    return new Result((x.claimRate() + y.claimRate()) / 2, (x.producerRate() + y.producerRate()) / 2,
        (x.overlapSeconds() + y.overlapSeconds()) / 2, (x.claimSoloRate() + y.claimSoloRate()) / 2,
        (x.producerSoloRate() + y.producerSoloRate()) / 2);
  }

  static Result run(ClaimBaseline claim, int workers, ProducerBaseline producer, String topic,
      long from, long events) throws Exception {
    long start = System.nanoTime();
    List<Thread> claimers = claim.start(workers, events);
    Thread sender = new Thread(() -> producer.flood(topic, from, events), "raw-producer");
    sender.start();
    double claimEnd = 0;
    double producerEnd = 0;
    double overlap = 0;
    long claimedAtOverlap = 0;
    long ackedAtOverlap = 0;
    while (claimEnd == 0 || producerEnd == 0) {
      Thread.sleep(5);
      double now = (System.nanoTime() - start) / 1e9;
      boolean claimDone = claimers.stream().noneMatch(Thread::isAlive);
      boolean producerDone = !sender.isAlive();
      if (overlap == 0 && (claimDone || producerDone)) {
        overlap = now;
        claimedAtOverlap = claim.marked();
        ackedAtOverlap = producer.acked();
      }
      if (claimDone && claimEnd == 0) {
        claimEnd = now;
      }
      if (producerDone && producerEnd == 0) {
        producerEnd = now;
      }
    }
    if (claim.marked() < events || producer.acked() < events) {
      throw new IllegalStateException("a baseline stopped early: claimed " + claim.marked()
          + ", acked " + producer.acked() + " of " + events);
    }
    return new Result(claimedAtOverlap / overlap, ackedAtOverlap / overlap, overlap,
        events / claimEnd, events / producerEnd);
  }
}
