package dev.soma.resilience.common;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for a future from a thread that may block: {@code main}, a command, a test. Calling it on a
 * Vert.x thread is a bug, and it says so instead of deadlocking.
 */
public final class Blocking {

  private Blocking() {}

  public static <T> T await(Future<T> future, Duration timeout) throws Exception {
    if (io.vertx.core.Context.isOnVertxThread()) {
      throw new IllegalStateException("Blocking.await called on a Vert.x thread");
    }
    try {
      return future
          .toCompletionStage()
          .toCompletableFuture()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } catch (TimeoutException e) {
      throw new TimeoutException("gave up after " + timeout.toSeconds() + " s");
    }
  }
}
