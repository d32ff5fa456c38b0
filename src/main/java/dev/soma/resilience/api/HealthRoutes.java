package dev.soma.resilience.api;

import dev.soma.resilience.common.db.Database;
import dev.soma.resilience.degradation.CallReport;
import dev.soma.resilience.journal.Journal;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.sqlclient.Pool;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /health/live}: the process answers. {@code GET /health/ready}: the node is not {@code
 * stopping}, and PostgreSQL, the only critical dependency, is reachable and migrated; while it is
 * not, a node that may stay ready while journaling ({@code readyWhileJournaling}) stays ready as
 * long as its journal has room (docs/RELIABILITY.md). A PostgreSQL that does not answer within
 * {@value #DATABASE_ANSWER_MS} ms counts as down, like one that refuses the connection.
 */
record HealthRoutes(
    Database database,
    Pool pool,
    Optional<Journal> journal,
    boolean readyWhileJournaling,
    BooleanSupplier stopping) {

  /** How long readiness waits for PostgreSQL's answer before it counts it down. */
  static final long DATABASE_ANSWER_MS = 1500;

  /** The health check's own limit, past which it answers 500: never reached for PostgreSQL. */
  private static final long CHECK_LIMIT_MS = 2000;

  void mount(Vertx vertx, Router router) {
    router
        .get("/health/live")
        .handler(
            HealthCheckHandler.createWithHealthChecks(
                HealthChecks.create(vertx).register("process", p -> p.complete(Status.OK()))));
    HealthChecks ready =
        HealthChecks.create(vertx)
            // first to fail on SIGTERM, so that a load balancer sends no more while the node stops
            .register(
                "node",
                p ->
                    p.complete(
                        stopping.getAsBoolean()
                            ? Status.KO(new JsonObject().put("stopping", true))
                            : Status.OK()))
            .register(
                "postgresql",
                CHECK_LIMIT_MS,
                promise ->
                    database
                        .checkReady(pool)
                        // a PostgreSQL that does not answer is down, not a failed check (500)
                        .timeout(DATABASE_ANSWER_MS, TimeUnit.MILLISECONDS)
                        .onComplete(ar -> promise.tryComplete(readiness(ar.cause()))));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(ready));
  }

  /**
   * PostgreSQL's part of readiness: up, or down while the journal takes this node's writes and has
   * room (the node can still take traffic: docs/RELIABILITY.md); down otherwise.
   */
  private Status readiness(Throwable failure) {
    if (failure == null) {
      return Status.OK();
    }
    // public: the kind of failure, not its message (the database's host and port)
    JsonObject data = new JsonObject().put("error", CallReport.describe(failure));
    if (readyWhileJournaling && journal.isPresent() && journal.get().hasRoom()) {
      return Status.OK(data.put("journaling", true));
    }
    return Status.KO(data);
  }
}
