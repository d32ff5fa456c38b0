package dev.soma.resilience.api;

import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

/**
 * Sends files packaged on the class path (the service's own pages and a webjar's assets) without
 * blocking the event loop: a file's first use copies it out of the jar, so the look-up runs on a
 * worker ({@code props}); {@code sendFile} then finds it in Vert.x's file cache. Only files a
 * caller names are sent: request paths never reach here unchecked.
 */
final class ClassPathFiles {

  private ClassPathFiles() {}

  /** Sends {@code file} with its media type (by extension) and {@code cacheControl}. */
  static void send(Vertx vertx, RoutingContext ctx, String file, String cacheControl) {
    vertx
        .fileSystem()
        .props(file)
        .compose(
            props ->
                ctx.response()
                    .putHeader("Content-Type", contentType(file))
                    .putHeader("Cache-Control", cacheControl)
                    .putHeader("X-Content-Type-Options", "nosniff")
                    .sendFile(file))
        .onFailure(ctx::fail);
  }

  /** The media type of the kinds of file the service ships. */
  static String contentType(String file) {
    if (file.endsWith(".html")) {
      return "text/html; charset=utf-8";
    }
    if (file.endsWith(".js")) {
      return "text/javascript; charset=utf-8";
    }
    if (file.endsWith(".css")) {
      return "text/css; charset=utf-8";
    }
    if (file.endsWith(".yaml")) {
      return ApiDocs.YAML;
    }
    if (file.endsWith(".png")) {
      return "image/png";
    }
    throw new IllegalArgumentException("no media type known for " + file);
  }
}
