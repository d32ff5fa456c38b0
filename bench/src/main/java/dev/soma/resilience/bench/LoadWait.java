package dev.soma.resilience.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Waits for a quiet machine before a measured run: until the 1-minute load average
 * ({@code /proc/loadavg}) is below a limit, looking at it every {@code poll}, for at most {@code
 * max}; past that the run is measured anyway and the result says so. Waits one {@code poll} at
 * least, and reports what the benchmark's processes used in the last one: with the servers and
 * the processes under test started and idle, that is their cost at rest.
 */
final class LoadWait {

  /**
   * @param seconds how long it waited
   * @param loadAverage the 1, 5 and 15 minute load averages when it stopped waiting
   * @param reached whether the 1-minute figure was below the limit then
   * @param idle the CPU use of the last {@code poll} of the wait
   */
  record Result(double seconds, String loadAverage, boolean reached, CpuAccounting.Usage idle) {}

  private LoadWait() {}

  static Result await(CpuAccounting cpu, double limit, Duration poll, Duration max)
      throws InterruptedException {
    long start = System.nanoTime();
    while (true) {
      CpuAccounting.Snapshot before = cpu.snapshot();
      Thread.sleep(poll.toMillis());
      CpuAccounting.Usage idle = cpu.since(before);
      double load = oneMinute();
      double waited = (System.nanoTime() - start) / 1e9;
      boolean quiet = load < limit;
      if (quiet || waited >= max.toSeconds()) {
        return new Result(waited, Machine.loadAverage(), quiet, idle);
      }
      System.out.printf("  waiting for the load average to drop under %.1f: %s after %.0f s%n",
          limit, Machine.loadAverage(), waited);
    }
  }

  /** The 1-minute load average, or 0 where {@code /proc/loadavg} cannot be read. */
  private static double oneMinute() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
