package dev.soma.resilience.testing;

import dev.soma.resilience.config.DatabaseUrl;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on loopback in front of a real server, with two switches: {@link #cut()} closes every
 * connection through it and refuses new ones (the server looks down to whoever connects through the
 * proxy, while the test still reaches it directly), {@link #restore()} accepts again on the same
 * port; {@link #stall()} keeps every connection open and forwards nothing (a server that stops
 * answering without closing anything: a partition that drops packets, a frozen host), {@link
 * #unstall()} forwards what waited and goes on. Plain threads: this is test code, not an event loop
 * (the benchmark compiles it too).
 */
public final class TcpProxy implements AutoCloseable {

  private final String targetHost;
  private final int targetPort;
  private final int port;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile ServerSocket server;
  private boolean stalled; // guarded by this

  /** Keeps every connection open (new ones too) and forwards nothing until {@link #unstall()}. */
  public synchronized void stall() {
    stalled = true;
  }

  /** Forwards again, what waited first. */
  public synchronized void unstall() {
    stalled = false;
    notifyAll();
  }

  /** Returns once the proxy is not stalled. */
  private synchronized void awaitForwarding() throws InterruptedException {
    while (stalled) {
      wait();
    }
  }

  public TcpProxy(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = listen(0);
    this.port = server.getLocalPort();
    accept(server);
  }

  public int port() {
    return port;
  }

  /** A proxy in front of {@code database}'s server. */
  public static TcpProxy before(DatabaseUrl database) throws IOException {
    return new TcpProxy(database.host(), database.port());
  }

  /** {@code database} reached through this proxy. */
  public DatabaseUrl through(DatabaseUrl database) {
    return new DatabaseUrl(
        "127.0.0.1", port, database.database(), database.user(), database.password());
  }

  /** Closes every connection through the proxy and refuses new ones until {@link #restore()}. */
  public synchronized void cut() throws IOException {
    server.close();
    for (Socket socket : open) {
      closeQuietly(socket);
    }
    open.clear();
  }

  /** Accepts connections again on the same port. */
  public synchronized void restore() throws IOException {
    if (server.isClosed()) {
      server = listen(port);
      accept(server);
    }
  }

  @Override
  public void close() throws IOException {
    cut();
  }

  private static ServerSocket listen(int port) throws IOException {
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(new InetSocketAddress("127.0.0.1", port));
    return socket;
  }

  private void accept(ServerSocket listening) {
    Thread acceptor =
        new Thread(
            () -> {
              while (!listening.isClosed()) {
                try {
                  Socket client = listening.accept();
                  connect(client, listening);
                } catch (IOException e) {
                  // closed by cut(): the loop ends
                }
              }
            },
            "tcp-proxy-accept-" + port);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void connect(Socket client, ServerSocket listening) {
    try {
      Socket upstream = new Socket(targetHost, targetPort);
      // no Nagle delays: the benchmark measures through this proxy too
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
      open.add(client);
      open.add(upstream);
      if (listening.isClosed()) { // cut while this one was being set up
        closeQuietly(client);
        closeQuietly(upstream);
        return;
      }
      pump(client, upstream);
      pump(upstream, client);
    } catch (IOException e) {
      closeQuietly(client);
    }
  }

  private void pump(Socket from, Socket to) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                  awaitForwarding();
                  out.write(buffer, 0, read);
                  out.flush();
                }
              } catch (IOException | InterruptedException e) {
                // one side closed: close both below
              } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
              }
            },
            "tcp-proxy-pump-" + port);
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }
}
