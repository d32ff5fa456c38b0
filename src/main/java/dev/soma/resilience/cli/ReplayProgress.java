package dev.soma.resilience.cli;

import dev.soma.resilience.outbox.OutboxFilter;
import dev.soma.resilience.outbox.OutboxReplay;
import dev.soma.resilience.outbox.ReplayResult;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * A long replay's progress on a terminal: how many of its events the service's relay has sent, on
 * one line of standard error, redrawn each second until all are sent. Only on a terminal ({@code
 * System.console() != null}), so scripts and pipes get the result alone. The replay is committed
 * before this starts: stopping the command (Ctrl-C) stops the watching, not the replay.
 */
final class ReplayProgress {

  /** A replay this short needs no progress: it is sent in about a second. */
  private static final double SHORT_SECONDS = 2;

  /** With nothing sent for this long, the relay is not running: stop watching and say so. */
  private static final Duration STALLED = Duration.ofSeconds(30);

  private ReplayProgress() {}

  /** Watches {@code result}'s events (among those {@code scope} matches) on a terminal. */
  static void watch(OutboxReplay replay, OutboxFilter scope, ReplayResult result, PrintWriter err)
      throws Exception {
    if (System.console() == null || result.dryRun() || result.paceSeconds() < SHORT_SECONDS) {
      return;
    }
    long total = result.count();
    long unsent = total;
    long lastChange = System.nanoTime();
    while (unsent > 0) {
      Thread.sleep(1000);
      long now = OperatorCommand.await(replay.unsent(scope));
      if (now < unsent) {
        lastChange = System.nanoTime();
      }
      unsent = Math.min(now, total);
      err.print("\rreplay: " + (total - unsent) + " of " + total + " sent");
      err.flush();
      if (System.nanoTime() - lastChange > STALLED.toNanos()) {
        err.println(
            "\nnothing sent for "
                + STALLED.toSeconds()
                + " s: is the service running? the replayed events stay pending until its relay"
                + " sends them");
        return;
      }
    }
    err.println();
  }
}
