package dev.soma.resilience.degradation.internal;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;

/**
 * The standard gRPC health-checking protocol ({@code grpc.health.v1.Health/Check}), used for the
 * workflow engine (Temporal) at {@code host:port}. Spoken directly over HTTP/2 cleartext (prior
 * knowledge) with gRPC framing; the two messages are small enough to encode by hand: {@code
 * HealthCheckRequest{string service = 1}} (sent empty: the whole server) and {@code
 * HealthCheckResponse{ServingStatus status = 1}} where {@code SERVING = 1}.
 */
final class GrpcHealthProbe implements HealthProbe {

  static final String PATH = "/grpc.health.v1.Health/Check";
  static final int SERVING = 1;

  private final HttpClient client;
  private final String host;
  private final int port;
  private final long timeoutMs;

  GrpcHealthProbe(Vertx vertx, String hostPort, Duration timeout) {
    int colon = hostPort.lastIndexOf(':');
    this.host = hostPort.substring(0, colon);
    this.port = Integer.parseInt(hostPort.substring(colon + 1));
    this.timeoutMs = timeout.toMillis();
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs)));
  }

  @Override
  public Future<Void> check() {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setHost(host)
            .setPort(port)
            .setURI(PATH)
            .setIdleTimeout(timeoutMs)
            .putHeader("content-type", "application/grpc")
            .putHeader("te", "trailers");
    return client
        .request(options)
        .compose(request -> request.send(frame(Buffer.buffer())))
        .compose(
            response ->
                response
                    .body()
                    .compose(
                        body -> {
                          String grpcStatus =
                              response.getTrailer("grpc-status") != null
                                  ? response.getTrailer("grpc-status")
                                  : response.getHeader("grpc-status");
                          if (response.statusCode() != 200 || !"0".equals(grpcStatus)) {
                            return Future.failedFuture(
                                "health check answered HTTP "
                                    + response.statusCode()
                                    + ", grpc-status "
                                    + grpcStatus);
                          }
                          int status = servingStatus(body);
                          return status == SERVING
                              ? Future.<Void>succeededFuture()
                              : Future.<Void>failedFuture(
                                  "health check status " + status + " (not SERVING)");
                        }));
  }

  /** A gRPC length-prefixed message: uncompressed flag, 4-byte big-endian length, bytes. */
  static Buffer frame(Buffer message) {
    return Buffer.buffer().appendByte((byte) 0).appendInt(message.length()).appendBuffer(message);
  }

  /** The {@code status} (field 1, varint) of a framed HealthCheckResponse; 0 when absent. */
  static int servingStatus(Buffer framed) {
    if (framed.length() < 5 || framed.getByte(0) != 0) {
      return -1;
    }
    int length = framed.getInt(1);
    int pos = 5;
    int end = Math.min(framed.length(), 5 + length);
    int status = 0;
    while (pos < end) {
      int tag = framed.getByte(pos++) & 0xff;
      if (tag == 0x08 && pos < end) {
        int value = 0;
        int shift = 0;
        byte b;
        do {
          b = framed.getByte(pos++);
          value |= (b & 0x7f) << shift;
          shift += 7;
        } while ((b & 0x80) != 0 && pos < end && shift < 32);
        status = value;
      } else {
        return -1; // no other fields in this message: anything else is not a HealthCheckResponse
      }
    }
    return status;
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }
}
