package dev.soma.resilience.testing;

import dev.soma.resilience.Application;
import dev.soma.resilience.cli.OperatorCommand;
import dev.soma.resilience.config.ServiceConfig;

/**
 * The outbox relay alone, wired as {@code publish-outbox --http-port} wires it ({@link
 * Application.Role#RELAY_WITH_PROBES}), as the main of a child JVM that a test starts through
 * {@link RelayProcess}; with a {@link Application.Role} name as its argument, that role instead
 * (e.g. {@code SERVICE}, the whole service). Its settings are the {@code SA01_*} variables of its
 * environment. Once the relay runs it prints one line, {@value #STARTED} followed by {@code
 * http-port=<port>} (where {@code /metrics} answers). It stops on SIGTERM like the service ({@link
 * Application#shutDown}), and halts at once when the JVM that started it is gone, so a test run
 * that dies leaves no relay behind.
 */
public final class RelayMain {

  /** The start of the line printed once the relay runs. */
  public static final String STARTED = "relay-main started";

  private RelayMain() {}

  public static void main(String[] args) throws Exception {
    ProcessHandle.current()
        .parent()
        .ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
    Application.Role role =
        args.length > 0 ? Application.Role.valueOf(args[0]) : Application.Role.RELAY_WITH_PROBES;
    System.exit(
        OperatorCommand.runUntilStopped(
            () -> {
              Application app = Application.start(ServiceConfig.load(System.getenv()), role);
              System.out.println(
                  STARTED
                      + " pid="
                      + ProcessHandle.current().pid()
                      + " http-port="
                      + app.httpPort());
              System.out.flush();
              return app;
            }));
  }
}
