package dev.soma.resilience.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

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
   *
   * @param parts each of our named process trees' share
   * @param machineSeconds the machine's CPU time in the phase, all cores, idle included (a 10 s
   *     phase on 2 cores: 20)
   */
  record Usage(double ours, double others, double ourSeconds, Map<String, Double> parts,
      double machineSeconds) {
    static final Usage UNKNOWN =
        new Usage(Double.NaN, Double.NaN, Double.NaN, Map.of(), Double.NaN);

    /** CPU seconds the process trees named {@code part} used in the phase (0 if none ran). */
    double seconds(String part) {
      return parts.getOrDefault(part, 0.0) * machineSeconds;
    }

    /** CPU seconds other user processes on the machine used in the phase. */
    double otherSeconds() {
      return others * machineSeconds;
    }
  }

  /** Jiffies per second ({@code USER_HZ}); 100 on Linux. */
  private static final double HZ = 100.0;

  /**
   * A point in time: machine-wide total jiffies, ours (per named process tree) and other user
   * processes'.
   */
  record Snapshot(long total, Map<String, Long> ours, long others) {
    long oursTotal() {
      return ours.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Our process trees by root pid, in the order they were added (the report's column order). */
  private final Map<Long, String> roots = Collections.synchronizedMap(new LinkedHashMap<>());

  CpuAccounting() {
    roots.put(ProcessHandle.current().pid(), "benchmark JVM");
  }

  /**
   * Counts {@code pid} and all its descendants as the benchmark's own, under {@code name}; several
   * process trees may share a name and are then counted together.
   */
  void own(long pid, String name) {
    roots.put(pid, name);
  }

  /** Stops counting {@code pid} as ours (it ended; its number may be given to another process). */
  void disown(long pid) {
    roots.remove(pid);
  }

  Snapshot snapshot() {
    try {
      String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < cpu.length && i <= 8; i++) {
        total += Long.parseLong(cpu[i]);
      }
      Map<String, Long> ours = new LinkedHashMap<>();
      long others = processJiffies(ours);
      return new Snapshot(total, ours, others);
    } catch (IOException | RuntimeException e) {
      return new Snapshot(0, Map.of(), 0);
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
    long ours = now.oursTotal() - start.oursTotal();
    Map<String, Double> parts = new LinkedHashMap<>();
    now.ours().forEach((name, jiffies) -> parts.put(name,
        (double) (jiffies - start.ours().getOrDefault(name, 0L)) / total));
    return new Usage((double) ours / total, (double) (now.others() - start.others()) / total,
        ours / HZ, parts, total / HZ);
  }

  /**
   * Adds the jiffies of each of our named process trees to {@code ours} and returns those of
   * other user processes, each counting children that already exited (cutime/cstime) so that
   * short-lived ones are not lost. A process that exits between two snapshots is counted through
   * its parent, as the kernel does.
   */
  private long processJiffies(Map<String, Long> ours) throws IOException {
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
    synchronized (roots) {
      roots.values().forEach(name -> ours.putIfAbsent(name, 0L));
    }
    long others = 0;
    for (Map.Entry<Long, long[]> e : stats.entrySet()) {
      String owner = owner(e.getKey(), stats);
      if (owner == null) {
        others += e.getValue()[1];
      } else if (!owner.equals(KERNEL)) {
        ours.merge(owner, e.getValue()[1], Long::sum);
      }
    }
    return others;
  }

  private static final String KERNEL = "";

  /** The name of our process tree {@code pid} belongs to, {@link #KERNEL}, or null (another's). */
  private String owner(long pid, Map<Long, long[]> stats) {
    for (int depth = 0; depth < 64; depth++) {
      String root = roots.get(pid);
      if (root != null) {
        return root;
      }
      if (pid == 2) {
        return KERNEL;
      }
      long[] s = stats.get(pid);
      if (s == null || s[0] == 0) {
        return null;
      }
      pid = s[0];
    }
    return null;
  }
}
