package dev.soma.resilience.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A command-line tool a test needs from a Debian package (promtool from {@code prometheus}): found
 * on the {@code PATH}, or else installed with {@code apt-get install -y} when the tests run as root
 * on a machine with {@code apt-get}. Absent when neither works; the caller then skips, saying so
 * loudly. The install's output goes to {@code target/apt-<package>.log}.
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
    try {
      Path log = Path.of("target", "apt-" + debianPackage + ".log");
      Files.createDirectories(log.getParent());
      Process install =
          new ProcessBuilder("apt-get", "install", "-y", "--no-install-recommends", debianPackage)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!install.waitFor(INSTALL_MINUTES, TimeUnit.MINUTES)) {
        install.destroyForcibly();
      }
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
    return onPath(command);
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
