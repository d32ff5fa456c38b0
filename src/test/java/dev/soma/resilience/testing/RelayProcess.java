package dev.soma.resilience.testing;

import static org.awaitility.Awaitility.await;

import dev.soma.resilience.Application;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One outbox relay in a child JVM ({@link RelayMain}) on the test JVM's own classpath, for tests
 * that need a relay to die or freeze as a whole process (or the service's own {@code Main}, as an
 * operator starts it, for tests of how it starts and stops): {@link #kill} is SIGKILL, {@link
 * #pause} and {@link #resume} are SIGSTOP and SIGCONT. Its output goes to {@link #log()}. Blocking;
 * for the test thread. Started and always ended by {@link RelayProcesses}.
 */
public final class RelayProcess {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final String name;
  private final Process process;
  private final Path log;
  private volatile int httpPort = -1;

  private RelayProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Launches {@link RelayMain} with exactly {@code settings} as its {@code SA01_*} variables. */
  static RelayProcess launch(
      String name, Application.Role role, Map<String, String> settings, Path log) {
    return launch(name, List.of(RelayMain.class.getName(), role.name()), false, settings, log);
  }

  /**
   * Launches the class and arguments {@code main} (a {@code main} method on the test JVM's class
   * path) with exactly {@code settings} as its {@code SA01_*} variables, logging as the tests do
   * ({@code logback-test.xml}) or, with {@code productionLogging}, as the service does in
   * production ({@code logback.xml}).
   */
  static RelayProcess launch(
      String name,
      List<String> main,
      boolean productionLogging,
      Map<String, String> settings,
      Path log) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>();
    command.addAll(List.of(java, "-Xmx256m", "-XX:+ExitOnOutOfMemoryError"));
    if (productionLogging) {
      command.add("-Dlogback.configurationFile=" + RelayProcess.class.getResource("/logback.xml"));
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path")));
    command.addAll(main);
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    // only what the test says: no SA01_* of the machine running the tests
    builder.environment().keySet().removeIf(key -> key.startsWith("SA01_"));
    builder.environment().putAll(settings);
    try {
      return new RelayProcess(name, builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start relay process " + name, e);
    }
  }

  /** Waits until the relay runs (its {@link RelayMain#STARTED} line); fails if it exits first. */
  public RelayProcess awaitStarted(Duration timeout) {
    await("relay process " + name + " started (log: " + log + ")")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new IllegalStateException(
                    "relay process "
                        + name
                        + " exited with "
                        + process.exitValue()
                        + "; see "
                        + log);
              }
              return startedLine() != null;
            });
    String line = startedLine();
    httpPort = Integer.parseInt(line.substring(line.indexOf("http-port=") + 10).trim());
    return this;
  }

  private String startedLine() {
    try (Stream<String> lines = Files.lines(log)) {
      return lines.filter(l -> l.startsWith(RelayMain.STARTED)).findFirst().orElse(null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  /**
   * What this relay's leases are owned by starts with: the service names its relay {@code
   * relay-<pid>-<host>-<random>}.
   */
  public String leaseOwnerPrefix() {
    return "relay-" + pid() + "-";
  }

  /** The HTTP port it serves (known once {@link #awaitStarted} returned). */
  public int httpPort() {
    return httpPort;
  }

  public Path log() {
    return log;
  }

  /** Everything the process wrote (its log on standard error, then standard output). */
  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL, and waits until the process is gone. */
  public void kill() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("relay process " + name + " survived SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SIGTERM, as an orchestrator stops a node; does not wait. */
  public void terminate() {
    signal("TERM");
  }

  /** Waits for the process to end; its exit status, or -1 if it still runs after {@code within}. */
  public int awaitExit(Duration within) throws InterruptedException {
    return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
  }

  /** SIGSTOP: the process freezes, its connections stay open. */
  public void pause() {
    signal("STOP");
  }

  /** SIGCONT: a paused process runs on. */
  public void resume() {
    signal("CONT");
  }

  private void signal(String signal) {
    try {
      int status = new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).start().waitFor();
      if (status != 0) {
        throw new IllegalStateException("kill -" + signal + " " + pid() + " exited with " + status);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The sum of every series of {@code metric} on the relay's {@code /metrics} (0 if none). */
  public double metric(String metric) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics"))
            .timeout(Duration.ofSeconds(10))
            .build();
    try {
      String body = HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
      return body.lines()
          .filter(l -> l.startsWith(metric + " ") || l.startsWith(metric + "{"))
          .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
          .sum();
    } catch (IOException e) {
      throw new UncheckedIOException("relay process " + name + ": no /metrics", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "relay process " + name + " (pid " + pid() + ")";
  }
}
