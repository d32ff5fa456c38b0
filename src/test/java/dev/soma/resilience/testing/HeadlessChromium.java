package dev.soma.resilience.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's headless Chromium driven through Debian's chromedriver (packages {@code chromium} and
 * {@code chromium-driver}, found or installed by {@link DebianTool}), for tests that need a real
 * browser. Both paths are given to Selenium, so Selenium Manager never looks for (or downloads) a
 * browser or driver of its own; the flags keep Chromium off the network (no sync, no component
 * updates, no QUIC) and each browser gets a fresh profile. Its console is kept for {@code
 * logs().get("browser")}.
 */
public final class HeadlessChromium {

  private HeadlessChromium() {}

  /** Chromium and chromedriver, when both can be had; empty (and nothing started) otherwise. */
  public static Optional<Paths> find() {
    Optional<Path> browser = DebianTool.findOrInstall("chromium", "chromium");
    Optional<Path> driver = DebianTool.findOrInstall("chromedriver", "chromium-driver");
    return browser.isPresent() && driver.isPresent()
        ? Optional.of(new Paths(browser.get(), driver.get()))
        : Optional.empty();
  }

  /** Where the browser and its driver are. */
  public record Paths(Path browser, Path driver) {}

  /**
   * A new browser with a window of {@code width} x {@code height}; the driver log goes to {@code
   * log}.
   */
  public static ChromeDriver start(Paths paths, int width, int height, Path log) throws Exception {
    Files.createDirectories(log.getParent());
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(paths.driver().toFile())
            .usingAnyFreePort()
            .withLogFile(log.toFile())
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(paths.browser().toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--user-data-dir=" + Files.createTempDirectory("chromium-profile"),
        "--window-size=" + width + "," + height);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, java.util.logging.Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    options.setExperimentalOption("prefs", Map.of("credentials_enable_service", false));
    return new ChromeDriver(service, options);
  }
}
