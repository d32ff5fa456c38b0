package dev.soma.resilience.cli;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ConfigException;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.outbox.OutboxReplay;
import io.vertx.core.Future;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/**
 * What every operator command shares: its settings (the top command's {@code SA01_*} environment
 * with the command's options laid over it), the service's tools started and stopped around one
 * action, and one rule for bad input: a {@link ConfigException} names the option and ends with exit
 * code 2 (see {@code Main}); an unknown or invalid target ({@link NoSuchElementException}, {@link
 * IllegalArgumentException}) or a selection too large ({@link OutboxReplay.TooLarge}) is one line
 * on standard error and exit code 1.
 */
public abstract class OperatorCommand implements Callable<Integer> {

  /** How long one operator action may take before the command gives up. */
  static final Duration ACTION_TIMEOUT = Duration.ofMinutes(1);

  @Spec CommandSpec spec;

  private final Map<String, String> overrides = new HashMap<>();

  /** The configuration: the environment, with the options set by {@link #override}. */
  final ServiceConfig config() {
    Map<String, String> env = new HashMap<>(((CommandEnvironment) spec.root().userObject()).env());
    env.putAll(overrides);
    return ServiceConfig.load(env);
  }

  /**
   * Refuses {@code option}'s value unless it is null (not given) or within [min, max] {@code unit}:
   * "--batch-size must be from 1 to 10000, but was 0".
   */
  static void within(String option, Number value, double min, double max, String unit) {
    if (value != null && !(value.doubleValue() >= min && value.doubleValue() <= max)) {
      throw new ConfigException(
          option
              + " must be from "
              + plain(min)
              + " to "
              + plain(max)
              + unit
              + ", but was "
              + value);
    }
  }

  /** Lays {@code value} over the environment's {@code variable}, when the option was given. */
  final void override(String variable, Object value) {
    if (value != null) {
      overrides.put(variable, value.toString());
    }
  }

  /** What a command does with the started tools (migrated pool, producer). */
  interface ToolAction {
    int run(Application app) throws Exception;
  }

  /** Starts the tools, runs {@code action}, stops them. */
  final int withTools(ToolAction action) throws Exception {
    try (Application app = Application.start(config(), Application.Role.TOOLS)) {
      return action.run(app);
    } catch (NoSuchElementException | IllegalArgumentException | OutboxReplay.TooLarge e) {
      err().println(e.getMessage());
      return 1;
    }
  }

  final PrintWriter out() {
    return spec.commandLine().getOut();
  }

  final PrintWriter err() {
    return spec.commandLine().getErr();
  }

  static <T> T await(Future<T> action) throws Exception {
    return Blocking.await(action, ACTION_TIMEOUT);
  }

  /** Who did it and why are kept on the row: an empty value would keep nothing. */
  static void nonBlank(String option, String value) {
    if (value == null || value.isBlank()) {
      throw new ConfigException(option + " must not be blank");
    }
  }

  /**
   * Runs {@code app} until SIGTERM or SIGINT, then stops it ({@link Application#shutDown}:
   * readiness 503 first, then everything within the grace) on this thread and returns 0, so that a
   * clean stop exits with status 0 rather than the JVM's 143. A stop by other means (the JVM
   * exiting) still closes it, from a shutdown hook.
   */
  public static int runUntilStopped(Application app) throws InterruptedException {
    CountDownLatch signalled = new CountDownLatch(1);
    for (String name : List.of("TERM", "INT")) {
      Signal.handle(new Signal(name), signal -> signalled.countDown());
    }
    Thread hook = new Thread(app::close, "shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    signalled.await();
    Runtime.getRuntime().removeShutdownHook(hook);
    app.shutDown();
    return 0;
  }

  private static String plain(double bound) {
    return bound == Math.rint(bound) ? Long.toString((long) bound) : Double.toString(bound);
  }
}
