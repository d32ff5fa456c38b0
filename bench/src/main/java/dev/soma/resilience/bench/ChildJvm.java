package dev.soma.resilience.bench;

import dev.soma.resilience.config.DatabaseUrl;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A JVM the benchmark starts, with a capped heap, and ends: mostly the service as it runs in
 * production (the relay alone, {@code soma-resilience publish-outbox}, or a whole node), pointed at
 * the benchmark's servers through {@code SA01_*} variables; also the Kafka broker when its CPU is
 * counted apart ({@link BrokerMain}). Its output goes to {@code <dir>/<name>.log}. Records when a
 * relay in it reports itself started, samples the process's resident memory from {@code /proc},
 * and keeps a GC log from which the heap's peak is read.
 */
final class ChildJvm implements AutoCloseable {

  private static final Pattern STARTED = Pattern.compile("outbox relay (\\S+) started ");

  private static final Pattern GC_PAUSE =
      Pattern.compile("\\[([0-9.]+)s\\].*Pause.* (\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

  private final String name;
  private final Process process;
  private final Path gcLog;
  private final Path log;
  private final CountDownLatch started = new CountDownLatch(1);
  private final long launchedNanos = System.nanoTime();
  private volatile long startedNanos;
  private volatile String relayId;
  private volatile long peakRssKb;
  private final Thread sampler;

  private ChildJvm(String name, Process process, Path gcLog, Path log) {
    this.name = name;
    this.process = process;
    this.gcLog = gcLog;
    this.log = log;
    Thread reader = new Thread(() -> pump(log), name + "-log");
    reader.setDaemon(true);
    reader.start();
    sampler = new Thread(this::sample, name + "-memory");
    sampler.setDaemon(true);
    sampler.start();
  }

  /**
   * What the service's jar opens to Hazelcast (its manifest's {@code Add-Opens} and {@code
   * Add-Exports}), given on the command line since the benchmark runs the service's classes, not
   * its jar.
   */
  static final List<String> JAR_OPENS = List.of(
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.management/sun.management=ALL-UNNAMED",
      "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
      "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED");

  /** Starts the relay with heap {@code heap} (e.g. {@code 256m}); logs go to {@code dir}. */
  static ChildJvm start(String classpath, String heap, DatabaseUrl db, String bootstrap,
      Map<String, String> env, Path dir, String name) throws IOException {
    return service(classpath, heap, db, bootstrap, env, dir, name, List.of("publish-outbox"));
  }

  /**
   * Starts the service's {@code Main} with {@code arguments} (none: the whole service, as {@code
   * java -jar} runs it) on {@code db} and {@code bootstrap}, with its own data directory under
   * {@code dir} and {@code env} on top.
   */
  static ChildJvm service(String classpath, String heap, DatabaseUrl db, String bootstrap,
      Map<String, String> env, Path dir, String name, List<String> arguments) throws IOException {
    Map<String, String> all = new HashMap<>();
    all.put("SA01_DATABASE_URL", "postgresql://" + db.user() + "@" + db.host() + ":" + db.port()
        + "/" + db.database());
    all.put("SA01_KAFKA_BOOTSTRAP_SERVERS", bootstrap);
    all.put("SA01_DATA_DIR", dir.resolve(name + "-data").toString());
    all.putAll(env);
    return launch(classpath, heap, JAR_OPENS, "dev.soma.resilience.Main", arguments, all, dir,
        name);
  }

  /**
   * Starts {@code mainClass} with {@code arguments} in a JVM of heap {@code heap} and {@code
   * options}, {@code env} added to this process's environment; its output and GC log go to
   * {@code dir}.
   */
  static ChildJvm launch(String classpath, String heap, List<String> options, String mainClass,
      List<String> arguments, Map<String, String> env, Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    Path gcLog = dir.resolve(name + "-gc.log");
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-Xmx" + heap,
        "-XX:+ExitOnOutOfMemoryError", "-Xlog:gc:file=" + gcLog + ":uptime"));
    command.addAll(options);
    command.addAll(List.of("-cp", classpath, mainClass));
    command.addAll(arguments);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    return new ChildJvm(name, builder.start(), gcLog, dir.resolve(name + ".log"));
  }

  long pid() {
    return process.pid();
  }

  /** Waits until the relay logged that it started; returns that moment ({@link System#nanoTime}). */
  long awaitStarted(long timeoutSeconds) throws InterruptedException {
    if (!started.await(timeoutSeconds, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + ": relay did not start within " + timeoutSeconds
          + " s"
          + (process.isAlive() ? "" : " (exited with " + process.exitValue() + ")"));
    }
    return startedNanos;
  }

  /**
   * Waits until the JVM printed a line that {@code pattern} finds something in, and returns that
   * line (the first such); fails when the JVM exits first or after {@code timeoutSeconds}.
   */
  String awaitLine(Pattern pattern, long timeoutSeconds) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (true) {
      try (Stream<String> lines = Files.exists(log) ? Files.lines(log) : Stream.empty()) {
        Optional<String> line = lines.filter(l -> pattern.matcher(l).find()).findFirst();
        if (line.isPresent()) {
          return line.get();
        }
      }
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException(name + " printed no line like '" + pattern + "' "
            + (process.isAlive() ? "within " + timeoutSeconds + " s"
                : "before it exited with " + process.exitValue()) + "; see " + log);
      }
      Thread.sleep(100);
    }
  }

  String name() {
    return name;
  }

  /** The name the relay leases rows under, known once it started. */
  String relayId() {
    return relayId;
  }

  long launchedNanos() {
    return launchedNanos;
  }

  boolean alive() {
    return process.isAlive();
  }

  /** The highest resident set size seen so far, in KiB (the kernel's VmHWM). */
  long peakRssKb() {
    return peakRssKb;
  }

  /** Heap figures from the GC log: peak used (before a collection) and peak live after one. */
  record Heap(long peakUsedMb, long peakAfterGcMb, long committedMb, int collections) {}

  /** Reads the GC log up to {@code uptimeSeconds} of the JVM (all of it if negative). */
  Heap heap(double uptimeSeconds) throws IOException {
    long before = 0;
    long after = 0;
    long committed = 0;
    int count = 0;
    for (String line : Files.readAllLines(gcLog)) {
      Matcher m = GC_PAUSE.matcher(line);
      if (!m.find() || (uptimeSeconds >= 0 && Double.parseDouble(m.group(1)) > uptimeSeconds)) {
        continue;
      }
      count++;
      before = Math.max(before, mb(m.group(2), m.group(3)));
      after = Math.max(after, mb(m.group(4), m.group(5)));
      committed = Math.max(committed, mb(m.group(6), m.group(7)));
    }
    return new Heap(before, after, committed, count);
  }

  /** Seconds since the JVM started, as its GC log counts them (approximately). */
  double uptimeSeconds() {
    return (System.nanoTime() - launchedNanos) / 1e9;
  }

  private static long mb(String value, String unit) {
    long v = Long.parseLong(value);
    return switch (unit) {
      case "K" -> v / 1024;
      case "G" -> v * 1024;
      default -> v;
    };
  }

  private void pump(Path log) {
    try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(Files.newBufferedWriter(log))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        Matcher m = STARTED.matcher(line);
        if (startedNanos == 0 && m.find()) {
          startedNanos = System.nanoTime();
          relayId = m.group(1);
          started.countDown();
        }
        out.println(line);
        out.flush();
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  private void sample() {
    Path status = Path.of("/proc/" + process.pid() + "/status");
    while (process.isAlive()) {
      try {
        for (String line : Files.readAllLines(status)) {
          if (line.startsWith("VmHWM:")) {
            peakRssKb = Long.parseLong(line.replaceAll("\\D", ""));
          }
        }
        Thread.sleep(100);
      } catch (IOException e) {
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Kills the JVM with SIGKILL, as a crash would: it gets no chance to settle or release
   * anything. Returns once the process is gone.
   */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** Stops the JVM the way an operator would (SIGTERM) and waits for it to exit. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
