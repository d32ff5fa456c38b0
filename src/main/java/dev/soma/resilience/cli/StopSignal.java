package dev.soma.resilience.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and SIGINT, taken from the JVM for the rest of the process's life ({@link #takeOver}), by
 * the thread that then starts the service, before it starts anything: a stop during start-up then
 * ends the process as cleanly as one after it (left to the JVM, it would exit with status 143
 * half-way through starting, with nothing of ours closing what had started: leases, the cluster
 * membership, the embedded PostgreSQL, a process of its own). The first signal received while
 * starting interrupts the starting thread, so that its wait fails at once and start-up stops what
 * it had started (see {@code Application.start}); once {@link #started}, a signal only ends {@link
 * #await}. Later signals are ignored: the stop under way goes on.
 */
final class StopSignal {

  private final CountDownLatch received = new CountDownLatch(1);

  /** The thread that starts the service, until it has. Guarded by {@code this}. */
  private Thread starting;

  private volatile String name;

  private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();

  private StopSignal(Thread starting) {
    this.starting = starting;
  }

  /** Takes SIGTERM and SIGINT from the JVM, for the calling thread, which is about to start. */
  static StopSignal takeOver() {
    StopSignal stop = new StopSignal(Thread.currentThread());
    for (String signal : List.of("TERM", "INT")) {
      Signal taken = new Signal(signal);
      stop.previous.put(taken, Signal.handle(taken, s -> stop.receive("SIG" + s.getName())));
    }
    return stop;
  }

  /**
   * Gives the signals back to their handlers from before {@link #takeOver} (the JVM's): start-up
   * failed, and the process, or the test running the command in its own JVM, goes on without this
   * service.
   */
  void giveBack() {
    previous.forEach(Signal::handle);
  }

  private synchronized void receive(String signal) {
    if (received.getCount() == 0) {
      return;
    }
    name = signal;
    received.countDown();
    if (starting != null) {
      starting.interrupt();
    }
  }

  /**
   * Start-up is over, up or failed: signals no longer interrupt. Clears an interrupt that a signal
   * received just before may have left on the calling thread ({@link #received} still tells).
   */
  synchronized void started() {
    starting = null;
    Thread.interrupted();
  }

  /** Whether SIGTERM or SIGINT was received. */
  boolean received() {
    return received.getCount() == 0;
  }

  /** The signal received ({@code SIGTERM}, {@code SIGINT}); null before one. */
  String name() {
    return name;
  }

  /** Waits for SIGTERM or SIGINT (returns at once if one was received already). */
  void await() throws InterruptedException {
    received.await();
  }
}
