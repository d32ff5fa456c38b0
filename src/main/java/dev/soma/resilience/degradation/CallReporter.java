package dev.soma.resilience.degradation;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import java.util.Optional;

/**
 * How a client tells the degradation monitor about each real call (fire and forget, on {@link
 * DegradationAddresses#CALL_OUTCOME}). Real traffic is the monitor's first source of health.
 */
@FunctionalInterface
public interface CallReporter {

  void report(CallReport report);

  /** Publishes on {@code bus}. */
  static CallReporter on(EventBus bus) {
    return report -> report.publish(bus);
  }

  /**
   * Reports {@code call} once it completes: {@code ok} decides whether a failure still shows the
   * dependency working (a request it refused as wrong, say).
   */
  default <T> Future<T> timed(
      String dependency,
      String tenant,
      Future<T> call,
      java.util.function.Predicate<Throwable> stillOk) {
    long started = System.nanoTime();
    return call.andThen(
        ar -> {
          boolean ok = ar.succeeded() || stillOk.test(ar.cause());
          report(
              new CallReport(
                  dependency,
                  Optional.ofNullable(tenant),
                  ok,
                  (System.nanoTime() - started) / 1_000_000,
                  ok ? Optional.empty() : Optional.of(CallReport.describe(ar.cause()))));
        });
  }
}
