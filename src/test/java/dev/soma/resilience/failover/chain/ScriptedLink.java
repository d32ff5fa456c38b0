package dev.soma.resilience.failover.chain;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** A provider whose answers a test scripts: failures first, then "<name> says <request>". */
final class ScriptedLink implements Link<String, String> {

  private final String name;
  private final boolean configured;
  private final Deque<Supplier<Future<String>>> script = new ArrayDeque<>();
  final List<Optional<Duration>> timesLeft = new ArrayList<>();

  ScriptedLink(String name) {
    this(name, true);
  }

  ScriptedLink(String name, boolean configured) {
    this.name = name;
    this.configured = configured;
  }

  /** The next calls fail with these, in order. */
  ScriptedLink failing(ProviderFailure... failures) {
    for (ProviderFailure failure : failures) {
      script.add(() -> Future.failedFuture(failure));
    }
    return this;
  }

  /** The next call runs {@code answer}. */
  ScriptedLink then(Supplier<Future<String>> answer) {
    script.add(answer);
    return this;
  }

  int calls() {
    return timesLeft.size();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String label() {
    return name + ":model";
  }

  @Override
  public boolean configured() {
    return configured;
  }

  @Override
  public Future<String> call(String request, Optional<Duration> left) {
    timesLeft.add(left);
    Supplier<Future<String>> next = script.poll();
    return next != null ? next.get() : Future.succeededFuture(name + " says " + request);
  }
}
