package dev.soma.resilience.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A command-line tool a test needs from a Debian package (promtool from {@code prometheus},
 * Chromium and chromedriver): found on the {@code PATH}, or else installed with {@code apt-get
 * install -y} when the tests run as root on a machine with {@code apt-get}; when that install fails
 * (a fresh machine's package lists may be empty or old), once more after {@code apt-get update}.
 * Absent when nothing works; the caller then skips, saying so loudly. The output goes to {@code
 * target/apt-<package>.log}.
 */
public final class DebianTool {

  private static final long INSTALL_MINUTES = 10;

  private DebianTool() {}

  /** The path of {@code command}, installing {@code debianPackage} first if it is missing. */
  public static synchronized Optional<Path> findOrInstall(String command, String debianPackage) {
    Optional<Path> found = onPath(command);
    if (found.isPresent() || !canInstall()) {
      return found;
    }
    Path log = Path.of("target", "apt-" + debianPackage + ".log");
    if (!run(log, "apt-get", "install", "-y", "--no-install-recommends", debianPackage)) {
      run(log, "apt-get", "update");
      run(log, "apt-get", "install", "-y", "--no-install-recommends", debianPackage);
    }
    return onPath(command);
  }

  /** Runs {@code command}, appending its output to {@code log}; whether it exited 0 in time. */
  private static boolean run(Path log, String... command) {
    try {
      Files.createDirectories(log.getParent());
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      if (!process.waitFor(INSTALL_MINUTES, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        return false;
      }
      return process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static Optional<Path> onPath(String command) {
    String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    return Arrays.stream(path.split(File.pathSeparator))
        .map(dir -> Path.of(dir, command))
        .filter(Files::isExecutable)
        .findFirst();
  }

  private static boolean canInstall() {
    return "root".equals(System.getProperty("user.name")) && onPath("apt-get").isPresent();
  }
}
