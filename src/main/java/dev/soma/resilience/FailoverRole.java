package dev.soma.resilience;

import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.failover.audio.AudioFailoverVerticle;
import dev.soma.resilience.failover.llm.LlmFailoverVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/**
 * The {@code failover} role, as {@link RoleDeployment} deploys it: the LLM and audio fallback
 * chains, reached by the API over the event bus, each under the process's breakers (and, for the
 * LLM, its feature flags), with the LLM failover counters' zero series ({@link LlmFailoverSeries})
 * registered before the first failover. The role runs on {@code parts}.
 */
record FailoverRole(ServiceConfig config, NodeParts parts) {

  /** Registers the role's meters; adds its deployments to {@code steps}. */
  void plan(List<Supplier<Future<?>>> steps) {
    Vertx vertx = parts.vertx();
    LlmFailoverSeries.register(config.llm(), parts.registry());
    steps.add(
        () ->
            vertx.deployVerticle(
                new LlmFailoverVerticle(
                    config.llm(),
                    parts.registry(),
                    Clock.systemUTC(),
                    parts.breakers(),
                    parts.flags())));
    steps.add(
        () ->
            vertx.deployVerticle(
                new AudioFailoverVerticle(
                    config.audio(), parts.registry(), Clock.systemUTC(), parts.breakers())));
  }
}
