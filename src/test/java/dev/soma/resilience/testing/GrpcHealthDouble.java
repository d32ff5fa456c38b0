package dev.soma.resilience.testing;

import dev.soma.resilience.common.Blocking;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;

/**
 * A workflow-engine (Temporal) stand-in for health checks: a real HTTP/2 cleartext server that
 * answers the standard gRPC health protocol's one method, {@code grpc.health.v1.Health/Check}, with
 * gRPC framing and trailers. {@link #serving(boolean)} switches between {@code SERVING (1)} and
 * {@code NOT_SERVING (2)}; any other path answers gRPC status 12 (unimplemented).
 */
public final class GrpcHealthDouble implements AutoCloseable {

  private final HttpServer server;
  private volatile boolean serving = true;

  private GrpcHealthDouble(HttpServer server) {
    this.server = server;
  }

  public static GrpcHealthDouble start(Vertx vertx) throws Exception {
    GrpcHealthDouble[] self = new GrpcHealthDouble[1];
    HttpServer server =
        vertx
            .createHttpServer(
                new HttpServerOptions().setHost("127.0.0.1").setHttp2ClearTextEnabled(true))
            .requestHandler(
                request ->
                    request
                        .body()
                        .onSuccess(
                            body -> {
                              var response =
                                  request.response().putHeader("content-type", "application/grpc");
                              if (!request.path().equals("/grpc.health.v1.Health/Check")) {
                                response.putHeader("grpc-status", "12").end();
                                return;
                              }
                              int status = self[0].serving ? 1 : 2;
                              Buffer message = Buffer.buffer(new byte[] {0x08, (byte) status});
                              response.write(
                                  Buffer.buffer()
                                      .appendByte((byte) 0)
                                      .appendInt(message.length())
                                      .appendBuffer(message));
                              response.putTrailer("grpc-status", "0").end();
                            }));
    self[0] = new GrpcHealthDouble(Blocking.await(server.listen(0), Duration.ofSeconds(10)));
    return self[0];
  }

  /** {@code host:port}, as {@code SA01_TEMPORAL_HOST} takes it. */
  public String hostPort() {
    return "127.0.0.1:" + server.actualPort();
  }

  public void serving(boolean isServing) {
    serving = isServing;
  }

  @Override
  public void close() throws Exception {
    Blocking.await(server.close(), Duration.ofSeconds(10));
  }
}
