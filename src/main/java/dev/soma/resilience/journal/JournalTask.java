package dev.soma.resilience.journal;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;

/**
 * What the journal's one thread is asked to do, in order: an append, any other file work, or stop.
 * Each completes its future once, on the Vert.x context that asked (or on the journal's thread when
 * no context asked, or that context's Vert.x is closed).
 */
abstract class JournalTask {
  private final Promise<Object> promise = Promise.promise();
  private final Context context = Vertx.currentContext();

  Future<?> future() {
    return promise.future();
  }

  void complete(Object value) {
    settle(() -> promise.tryComplete(value));
  }

  void fail(Throwable error) {
    settle(() -> promise.tryFail(error));
  }

  /** On the asking context; here when there is none, or it no longer runs tasks (Vert.x closed). */
  private void settle(Runnable outcome) {
    if (context == null) {
      outcome.run();
      return;
    }
    try {
      context.runOnContext(v -> outcome.run());
    } catch (RejectedExecutionException closed) {
      outcome.run();
    }
  }

  static final class Append extends JournalTask {
    final JournalRecord record;
    // encoded by the caller (an event loop), so the journal's one thread only frames and writes
    final byte[] payload;
    JournalRecord numbered;

    Append(JournalRecord record) {
      this.record = record;
      this.payload = record.payload();
    }
  }

  static final class Call<T> extends JournalTask {
    final Callable<T> work;

    Call(Callable<T> work) {
      this.work = work;
    }

    void run() {
      try {
        complete(work.call());
      } catch (Exception e) {
        fail(e);
      }
    }
  }

  static final class Stop extends JournalTask {}
}
