package dev.soma.resilience;

import dev.soma.resilience.config.ConfigException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * The HTTP port as a setting: taken by another process, it stops start-up with one line naming
 * {@code SA01_HTTP_PORT} (exit code 2), like any other bad setting. {@link #checkFree} runs before
 * anything starts (the embedded servers, the relay), so nothing runs for nothing; {@link #explain}
 * covers the port being taken between that check and the real bind.
 */
final class HttpPort {

  private HttpPort() {}

  /**
   * Binds {@code port} on {@code host} ({@code SA01_HTTP_HOST}), as the HTTP verticle will, and
   * lets it go at once; port 0 (any free one) needs no check.
   */
  static void checkFree(String host, int port) {
    if (port == 0) {
      return;
    }
    try (ServerSocket probe = new ServerSocket()) {
      // as Vert.x does: a port held only by connections in TIME_WAIT is free to listen on
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw taken(port, e);
    }
  }

  /** {@code failure}, or the one-line configuration error when it is the port being taken. */
  static Exception explain(Exception failure, int port) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof BindException bind) {
        return taken(port, bind);
      }
    }
    return failure;
  }

  private static ConfigException taken(int port, IOException cause) {
    return new ConfigException(
        "SA01_HTTP_PORT "
            + port
            + " cannot be listened on ("
            + cause.getMessage()
            + "): another process has it; stop it or choose another port");
  }
}
