package dev.soma.resilience.cli;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ConfigException;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.outbox.OutboxFilter;
import dev.soma.resilience.outbox.OutboxReplay;
import dev.soma.resilience.outbox.ReplayResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every operator command shares: its settings (the top command's {@code SA01_*} environment
 * with the command's options laid over it), its printing, and one rule for bad options: a {@link
 * ConfigException} names the option and ends with exit code 2 (see {@code Main}; {@link
 * OptionRules} holds the common checks). A command that does one thing with the service's tools is
 * a {@link ToolCommand}.
 */
public abstract class OperatorCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(OperatorCommand.class);

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

  /** Lays {@code value} over the environment's {@code variable}, when the option was given. */
  final void override(String variable, Object value) {
    if (value != null) {
      overrides.put(variable, value.toString());
    }
  }

  /** Prints {@code line} (a JSON object prints as its encoding): exit code 0. */
  final int printLine(Object line) {
    out().println(line);
    return 0;
  }

  /**
   * Runs {@code replaying} on the started tools' outbox replay, prints its result as JSON and, on a
   * terminal, its progress among the events {@code scope} matches ({@link ReplayProgress}): exit
   * code 0.
   */
  final int printReplay(
      Application app, OutboxFilter scope, Function<OutboxReplay, Future<ReplayResult>> replaying)
      throws Exception {
    OutboxReplay replay = new OutboxReplay(app.pool(), app.outbox(), config().outbox().replay());
    ReplayResult result = await(replaying.apply(replay));
    out().println(result.toJson().encode());
    ReplayProgress.watch(replay, scope, result, err());
    return 0;
  }

  /** Prints each of {@code lines} (JSON objects print as their encoding) on a line of its own. */
  final void printLines(Iterable<?> lines) {
    lines.forEach(out()::println);
  }

  /**
   * Prints the items of a listed {@code page} ({@code {"<items>": [...], "nextCursor"}}) as JSON
   * lines and, when there are more, the next page's {@code --cursor} on standard error; returns how
   * many it printed.
   */
  final int printPage(JsonObject page, String items) {
    printLines(page.getJsonArray(items));
    if (page.getString("nextCursor") != null) {
      err().println("more: --cursor=" + page.getString("nextCursor"));
    }
    return page.getJsonArray(items).size();
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

  /** A usage error of this command (one line, exit code 2): picocli's, as for a bad option. */
  final CommandLine.ParameterException usageError(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  /**
   * Refuses a {@code --cursor} that {@code parse} does not take (one this command cannot have
   * printed): a usage error, found before connecting.
   */
  final void requirePrintedCursor(Consumer<String> parse, String cursor) {
    try {
      parse.accept(cursor);
    } catch (IllegalArgumentException e) {
      throw usageError("--cursor is not one this command printed");
    }
  }

  /** Runs {@code check}; an {@link IllegalArgumentException} it throws is a {@link #usageError}. */
  final void asUsage(Runnable check) {
    try {
      check.run();
    } catch (IllegalArgumentException e) {
      throw usageError(e.getMessage());
    }
  }

  /** What a long-running command starts (blocking until up), to run until it is stopped. */
  @FunctionalInterface
  public interface Start {
    Application start() throws Exception;
  }

  /**
   * Starts what {@code start} starts and runs it until SIGTERM or SIGINT, then stops it ({@link
   * Application#shutDown}: readiness 503 first, then everything within the grace) on this thread
   * and returns 0, so that a clean stop exits with status 0 rather than the JVM's 143. The signals
   * are taken before start-up ({@link StopSignal}): one received while starting stops start-up,
   * which closes what it had started, and also returns 0 (a failure of start-up itself is thrown as
   * ever). A stop by other means (the JVM exiting) still closes a started service, from a shutdown
   * hook.
   */
  public static int runUntilStopped(Start start) throws Exception {
    StopSignal stop = StopSignal.takeOver();
    Application app;
    try {
      app = start.start();
    } catch (Exception e) {
      stop.started();
      stop.giveBack();
      if (!stop.received()) {
        throw e;
      }
      LOG.info("stopped during start-up ({}): what had started is stopped", stop.name());
      LOG.debug("start-up ended by", e);
      return 0;
    }
    stop.started();
    Thread hook = new Thread(app::close, "shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    stop.await();
    Runtime.getRuntime().removeShutdownHook(hook);
    app.shutDown();
    return 0;
  }
}
