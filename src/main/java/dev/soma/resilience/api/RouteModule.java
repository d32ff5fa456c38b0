package dev.soma.resilience.api;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/** A group of routes the HTTP verticle mounts on its router (on that verticle's event loop). */
public interface RouteModule {

  void mount(Vertx vertx, Router router);
}
