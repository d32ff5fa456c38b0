package dev.soma.resilience.bench;

import dev.soma.resilience.breaker.BreakerSettings;
import dev.soma.resilience.breaker.CallOutcome;
import dev.soma.resilience.breaker.CircuitBreakers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * In-process cost of {@link CircuitBreakers#call} (both permits, the call, recording its outcome)
 * around a supplier of an already-completed future, against calling that supplier directly; one
 * thread, as the breakers are event-loop confined. Rounds alternate the two; the median round
 * counts. Plain loops, not JMH: good to tens of nanoseconds, not to one.
 */
final class BreakerMicro {

  /** Median nanoseconds per call of each, over the rounds. */
  record Result(double directNs, double breakerNs, int rounds, long callsPerRound) {}

  private static long sink;

  /** Read on every call, so that the JIT cannot hoist the direct call out of its loop. */
  private static volatile Supplier<Future<String>> target;

  private BreakerMicro() {}

  static Result run(long calls, int rounds) {
    CircuitBreakers breakers = new CircuitBreakers(Clock.systemUTC(), BreakerSettings.DEFAULTS,
        Map.of(), new SimpleMeterRegistry(), t -> { },
        new dev.soma.resilience.breaker.BreakerPanel());
    Future<String> done = Future.succeededFuture("answer");
    Supplier<Future<String>> supplier = () -> done;
    target = supplier;
    Function<AsyncResult<String>, CallOutcome> classify =
        ar -> ar.succeeded() ? CallOutcome.SUCCESS : CallOutcome.DEPENDENCY_FAILURE;
    double[] direct = new double[rounds];
    double[] guarded = new double[rounds];
    for (int warm = 0; warm < 2; warm++) {
      direct(supplier, calls);
      guarded(breakers, supplier, classify, calls);
    }
    for (int r = 0; r < rounds; r++) {
      direct[r] = direct(supplier, calls);
      guarded[r] = guarded(breakers, supplier, classify, calls);
    }
    return new Result(median(direct), median(guarded), rounds, calls);
  }

  private static double direct(Supplier<Future<String>> supplier, long calls) {
    long s = 0;
    long t0 = System.nanoTime();
    for (long i = 0; i < calls; i++) {
      if (target.get().succeeded()) {
        s++;
      }
    }
    double ns = (double) (System.nanoTime() - t0) / calls;
    sink += s;
    return ns;
  }

  private static double guarded(CircuitBreakers breakers, Supplier<Future<String>> supplier,
      Function<AsyncResult<String>, CallOutcome> classify, long calls) {
    long s = 0;
    long t0 = System.nanoTime();
    for (long i = 0; i < calls; i++) {
      if (breakers.call("llm.bench", "t1", target, classify).succeeded()) {
        s++;
      }
    }
    double ns = (double) (System.nanoTime() - t0) / calls;
    sink += s;
    return ns;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /** Keeps the loops' results alive, so the JIT cannot drop them. */
  static long sink() {
    return sink;
  }
}
