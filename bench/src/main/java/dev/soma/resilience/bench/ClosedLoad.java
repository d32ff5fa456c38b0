package dev.soma.resilience.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A closed-loop load: {@code concurrency} callers, each sending its next call as soon as the
 * previous one completed, until {@code calls} were sent or {@code time} passed. Every caller runs
 * on {@code context} (one event loop), so a run measures the calls, not a thread pool. Latency is
 * from the call to its completion, in microseconds.
 */
final class ClosedLoad {

  /** What one run did: successful calls' latencies, counts, and its wall-clock length. */
  record Result(Histogram micros, long ok, long failed, double seconds, String firstFailure) {
    double perSecond() {
      return ok / seconds;
    }

    double meanMs() {
      return micros.getMean() / 1000;
    }

    double percentileMs(double p) {
      return micros.getValueAtPercentile(p) / 1000.0;
    }
  }

  private ClosedLoad() {}

  static Result run(Context context, int concurrency, long calls, Duration time,
      Supplier<Future<?>> call) throws InterruptedException {
    Recorder recorder = new Recorder(3);
    AtomicLong issued = new AtomicLong();
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicReference<String> firstFailure = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(concurrency);
    long start = System.nanoTime();
    long end = start + time.toNanos();
    Runnable[] caller = new Runnable[1];
    caller[0] = () -> {
      if (issued.incrementAndGet() > calls || System.nanoTime() > end) {
        done.countDown();
        return;
      }
      long t0 = System.nanoTime();
      Future<?> f;
      try {
        f = call.get();
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> {
        if (ar.succeeded()) {
          recorder.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
          ok.incrementAndGet();
        } else {
          failed.incrementAndGet();
          firstFailure.compareAndSet(null, String.valueOf(ar.cause()));
        }
        // a new task, so that calls completing at once cannot grow the stack
        context.runOnContext(v -> caller[0].run());
      });
    };
    for (int i = 0; i < concurrency; i++) {
      context.runOnContext(v -> caller[0].run());
    }
    if (!done.await(time.toSeconds() + 120, TimeUnit.SECONDS)) {
      throw new IllegalStateException("closed load did not finish: " + ok.get() + " ok, "
          + failed.get() + " failed");
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Result(recorder.getIntervalHistogram(), ok.get(), failed.get(), seconds,
        firstFailure.get());
  }
}
