package dev.soma.resilience.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who used the CPUs during a phase: the benchmark's own processes (this JVM, the relay JVM and
 * the embedded PostgreSQL with its backends) or other user processes on the machine (kernel
 * threads and interrupt time, much of it caused by our own I/O and loopback traffic, are left
 * out of both). Other load makes a run's numbers unreliable, so every phase reports it. Reads
 * {@code /proc} (Linux); elsewhere it reports nothing.
 */
final class CpuAccounting {

  /**
   * Shares of the machine's total CPU time (all cores) during one phase, 0..1, and the CPU
   * seconds our processes used in it.
   */
  record Usage(double ours, double others, double ourSeconds) {
    static final Usage UNKNOWN = new Usage(Double.NaN, Double.NaN, Double.NaN);
  }

  /** Jiffies per second ({@code USER_HZ}); 100 on Linux. */
  private static final double HZ = 100.0;

  /** A point in time: machine-wide total jiffies, ours and other user processes'. */
  record Snapshot(long total, long ours, long others) {}

  private final Set<Long> roots = ConcurrentHashMap.newKeySet();

  CpuAccounting() {
    roots.add(ProcessHandle.current().pid());
  }

  /** Counts {@code pid} and all its descendants as the benchmark's own. */
  void own(long pid) {
    roots.add(pid);
  }

  Snapshot snapshot() {
    try {
      String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < cpu.length && i <= 8; i++) {
        total += Long.parseLong(cpu[i]);
      }
      long[] split = processJiffies();
      return new Snapshot(total, split[0], split[1]);
    } catch (IOException | RuntimeException e) {
      return new Snapshot(0, 0, 0);
    }
  }

  /**
   * Waits (at most {@code maxSeconds}) until other processes use less than 5% of the CPUs over
   * two seconds, so that a phase does not start in the middle of someone else's build. Returns
   * the seconds waited.
   */
  double awaitQuiet(int maxSeconds) throws InterruptedException {
    long start = System.nanoTime();
    while (System.nanoTime() - start < maxSeconds * 1_000_000_000L) {
      Snapshot before = snapshot();
      Thread.sleep(2000);
      Usage usage = since(before);
      if (Double.isNaN(usage.others()) || usage.others() < 0.05) {
        break;
      }
    }
    return (System.nanoTime() - start) / 1e9;
  }

  Usage since(Snapshot start) {
    Snapshot now = snapshot();
    long total = now.total() - start.total();
    if (total <= 0) {
      return Usage.UNKNOWN;
    }
    long ours = now.ours() - start.ours();
    return new Usage((double) ours / total, (double) (now.others() - start.others()) / total,
        ours / HZ);
  }

  /**
   * Jiffies of our process trees and of other user processes, each counting children that
   * already exited (cutime/cstime) so that short-lived ones are not lost. A process that exits
   * between two snapshots is counted through its parent, as the kernel does.
   */
  private long[] processJiffies() throws IOException {
    Map<Long, long[]> stats = new HashMap<>();
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path proc : procs) {
        try {
          String stat = Files.readString(proc.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          // f[1] = ppid; f[11..14] = utime, stime, cutime, cstime
          stats.put(Long.parseLong(proc.getFileName().toString()), new long[] {
              Long.parseLong(f[1]),
              Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13])
                  + Long.parseLong(f[14])});
        } catch (IOException | RuntimeException e) {
          // the process ended while we looked
        }
      }
    }
    long ours = 0;
    long others = 0;
    for (Map.Entry<Long, long[]> e : stats.entrySet()) {
      switch (owner(e.getKey(), stats)) {
        case OURS -> ours += e.getValue()[1];
        case OTHER -> others += e.getValue()[1];
        default -> { }
      }
    }
    return new long[] {ours, others};
  }

  private enum Owner { OURS, OTHER, KERNEL }

  private Owner owner(long pid, Map<Long, long[]> stats) {
    for (int depth = 0; depth < 64; depth++) {
      if (roots.contains(pid)) {
        return Owner.OURS;
      }
      if (pid == 2) {
        return Owner.KERNEL;
      }
      long[] s = stats.get(pid);
      if (s == null || s[0] == 0) {
        return Owner.OTHER;
      }
      pid = s[0];
    }
    return Owner.OTHER;
  }
}
