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
import java.util.function.BooleanSupplier;

/**
 * {@code GET /health/live}: the process answers. {@code GET /health/ready}: the node is not {@code
 * stopping}, and PostgreSQL, the only critical dependency, is reachable and migrated; while it is
 * not, a node that may stay ready while journaling ({@code readyWhileJournaling}) stays ready as
 * long as its journal has room (docs/RELIABILITY.md).
 */
record HealthRoutes(
    Database database,
    Pool pool,
    Optional<Journal> journal,
    boolean readyWhileJournaling,
    BooleanSupplier stopping) {

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
                2000,
                promise ->
                    database
                        .checkReady(pool)
                        .onComplete(ar -> promise.complete(readiness(ar.cause()))));
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
