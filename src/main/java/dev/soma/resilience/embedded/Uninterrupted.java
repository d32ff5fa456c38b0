package dev.soma.resilience.embedded;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Starting and stopping the embedded servers out of reach of the calling thread's interrupt, which
 * a stop signal during the service's start-up sets ({@code cli.StopSignal}): Kafka takes an
 * interrupt while it starts for a fatal error (ERRORs with stack traces; before its logging is set
 * up, a crash of the start), zonky's PostgreSQL gives up waiting for the server it launched or for
 * it to stop ("Could not stop postmaster", with a stack trace). The interrupt is kept for the
 * caller, whose next wait gives up at once and closes what started.
 */
final class Uninterrupted {

  private Uninterrupted() {}

  /**
   * Runs {@code step} on a thread of its own, named {@code name}, and waits for it to end whatever
   * interrupts the caller meanwhile.
   */
  static <T> T call(String name, Callable<T> step) {
    FutureTask<T> task = new FutureTask<>(step);
    new Thread(task, name).start();
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return task.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          throw e.getCause() instanceof RuntimeException r
              ? r
              : new IllegalStateException(e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A step that may throw {@code E}. */
  @FunctionalInterface
  interface Step<E extends Exception> {
    void run() throws E;
  }

  /**
   * Runs {@code step} on the calling thread with its interrupt set aside (a stop that must finish:
   * the thread blocks in it, as it would without the interrupt), and set again after.
   */
  static <E extends Exception> void run(Step<E> step) throws E {
    boolean interrupted = Thread.interrupted();
    try {
      step.run();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
