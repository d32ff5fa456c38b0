package dev.soma.resilience.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A loopback port kept from everyone else until a child JVM is about to listen on it: a socket
 * bound to it but not listening, so that connections to it are refused and neither another bind
 * nor the kernel's choice of an ephemeral port takes it. A node's ports must be known minutes
 * before it starts (every node lists every node's cluster port), and a port that was merely free
 * when chosen was taken in between once (by some connection's ephemeral port).
 */
final class PortReservation implements AutoCloseable {

  private final Socket socket = new Socket();

  PortReservation() throws IOException {
    socket.setReuseAddress(false);
    socket.bind(new InetSocketAddress("127.0.0.1", 0));
  }

  int port() {
    return socket.getLocalPort();
  }

  /** Gives the port up, right before the process that listens on it starts. */
  @Override
  public void close() throws IOException {
    socket.close();
  }
}
