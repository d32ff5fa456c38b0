package dev.soma.resilience;

import dev.soma.resilience.api.OperationsApi;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Route;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The HTTP verticle's instances of one process, all on the one configured port, and what they
 * bound: the port (the actual one when configured as 0) and the router's routes, read by tests and
 * the contract check.
 */
final class HttpServers {

  private final Vertx vertx;
  private volatile int port = -1;
  private volatile List<Route> routes = List.of();

  HttpServers(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Deploys {@code instances} servers made by {@code server}; completes once all listen. */
  Future<?> deploy(Supplier<OperationsApi> server, int instances) {
    List<OperationsApi> servers = new CopyOnWriteArrayList<>();
    return vertx
        .deployVerticle(
            () -> {
              OperationsApi made = server.get();
              servers.add(made);
              return made;
            },
            new DeploymentOptions().setInstances(instances))
        .onSuccess(
            v -> {
              port = servers.get(0).actualPort();
              routes = servers.get(0).routes();
            });
  }

  /** The port the servers listen on; -1 before they do (or when the role has no HTTP). */
  int port() {
    return port;
  }

  /** One instance's routes (every instance has the same); empty without HTTP. */
  List<Route> routes() {
    return routes;
  }
}
