package dev.soma.resilience.testing;

import dev.soma.resilience.Application;
import dev.soma.resilience.Main;
import dev.soma.resilience.config.DatabaseUrl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts {@link RelayProcess}es for a test (register with {@code @RegisterExtension}) and kills
 * every one still alive when the test ends, passed or failed; a JVM shutdown hook does the same if
 * the test JVM exits first, and each child halts by itself when the test JVM is gone. Logs go to
 * {@code target/relay-processes/<class>.<test>-<name>.log}.
 */
public final class RelayProcesses implements BeforeEachCallback, AfterEachCallback {

  private static final Path LOGS = Path.of("target", "relay-processes");
  private static final Set<RelayProcess> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> LIVE.forEach(RelayProcess::kill), "relay-processes"));
  }

  private final List<RelayProcess> started = new ArrayList<>();
  private String testName = "test";

  @Override
  public void beforeEach(ExtensionContext context) {
    testName =
        context.getRequiredTestClass().getSimpleName()
            + "."
            + context.getRequiredTestMethod().getName();
  }

  /**
   * Starts a relay on {@code database} and the tests' Kafka broker, HTTP (health, {@code /metrics})
   * on a free loopback port, with {@code settings} ({@code SA01_*}) on top; does not wait for it.
   */
  public RelayProcess start(String name, DatabaseUrl database, Map<String, String> settings) {
    return start(name, Application.Role.RELAY_WITH_PROBES, database, settings);
  }

  /**
   * As above, running {@code role} (e.g. {@link Application.Role#SERVICE}: the whole service, its
   * agent API on the HTTP port); data in a fresh directory unless {@code settings} names one.
   */
  public RelayProcess start(
      String name, Application.Role role, DatabaseUrl database, Map<String, String> settings) {
    Map<String, String> env = new HashMap<>();
    env.put("SA01_DATABASE_URL", TestServices.databaseUrlSetting(database));
    env.put("SA01_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap());
    env.put("SA01_HTTP_HOST", "127.0.0.1");
    env.put("SA01_HTTP_PORT", "0");
    env.put("SA01_DATA_DIR", TestServices.tempDir("relay-" + name).toString());
    env.putAll(settings);
    RelayProcess relay = RelayProcess.launch(name, role, env, log(name));
    LIVE.add(relay);
    started.add(relay);
    return relay;
  }

  /**
   * Starts the service as an operator does ({@code dev.soma.resilience.Main}, no command, the
   * production {@code logback.xml}) with exactly {@code settings} ({@code SA01_*}); does not wait
   * for it. It prints no started line: wait for its exit or for what its log says.
   */
  public RelayProcess startMain(String name, Map<String, String> settings) {
    RelayProcess main =
        RelayProcess.launch(name, List.of(Main.class.getName()), true, settings, log(name));
    LIVE.add(main);
    started.add(main);
    return main;
  }

  private Path log(String name) {
    try {
      Files.createDirectories(LOGS);
      return LOGS.resolve(testName + "-" + name + ".log");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    for (RelayProcess relay : started) {
      // SIGKILL also ends a paused process, which would keep a SIGTERM pending until SIGCONT
      relay.kill();
      LIVE.remove(relay);
    }
    started.clear();
  }
}
