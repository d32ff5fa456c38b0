package dev.soma.resilience.testing.providers;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An S3-compatible endpoint, path-style: {@code PUT|GET|HEAD /{bucket}/{key}}. Every request must
 * carry an AWS SigV4 {@code Authorization} header (any signature is accepted; a missing one gets
 * 403 AccessDenied). PUT answers the MD5 ETag; GET and HEAD answer 404 NoSuchKey for unknown keys;
 * errors use S3's XML error format. Malformed: PUT answers 200 with a wrong ETag and stores
 * nothing; GET answers garbage whose ETag does not match it. {@code aws-chunked} bodies are
 * decoded.
 */
public final class S3Double extends ProviderDouble {

  /** One stored object. */
  public record S3Object(byte[] data, String contentType) {}

  private final String bucket;
  private final Map<String, S3Object> objects = new ConcurrentHashMap<>();

  public S3Double(Vertx vertx, String bucket) {
    super(vertx);
    this.bucket = bucket;
  }

  /** The object under {@code key} (without the bucket), or null. */
  public S3Object object(String key) {
    return objects.get(key);
  }

  public Map<String, S3Object> objects() {
    return Map.copyOf(objects);
  }

  @Override
  protected void answer(Recorded request, HttpServerResponse response) {
    String auth = request.header("Authorization");
    if (auth == null || !auth.startsWith("AWS4-HMAC-SHA256 Credential=")) {
      error(response, 403, "AccessDenied", "missing or non-SigV4 Authorization");
      return;
    }
    String prefix = "/" + bucket + "/";
    if (!request.path().startsWith(prefix) || request.path().length() == prefix.length()) {
      error(response, 404, "NoSuchBucket", "unknown bucket");
      return;
    }
    String key = request.path().substring(prefix.length());
    switch (request.method()) {
      case "PUT" -> {
        byte[] data = body(request);
        String type = request.header("Content-Type");
        objects.put(key, new S3Object(data, type == null ? "binary/octet-stream" : type));
        response.putHeader("ETag", "\"" + md5(data) + "\"").end();
      }
      case "GET", "HEAD" -> {
        S3Object object = objects.get(key);
        if (object == null) {
          if (request.method().equals("HEAD")) {
            response.setStatusCode(404).end();
          } else {
            error(response, 404, "NoSuchKey", "The specified key does not exist.");
          }
          return;
        }
        response
            .putHeader("Content-Type", object.contentType())
            .putHeader("ETag", "\"" + md5(object.data()) + "\"")
            .putHeader("Content-Length", Integer.toString(object.data().length));
        if (request.method().equals("HEAD")) {
          response.end();
        } else {
          response.end(Buffer.buffer(object.data()));
        }
      }
      default -> error(response, 405, "MethodNotAllowed", request.method());
    }
  }

  @Override
  protected void answerMalformed(Recorded request, HttpServerResponse response) {
    if (request.method().equals("PUT")) {
      response
          .putHeader("ETag", "\"" + md5("something else".getBytes(StandardCharsets.UTF_8)) + "\"")
          .end();
    } else {
      response
          .putHeader("Content-Type", "application/octet-stream")
          .putHeader("ETag", "\"" + md5(new byte[0]) + "\"")
          .end("<NotS3");
    }
  }

  @Override
  protected void answerError(int status, HttpServerResponse response) {
    String code =
        switch (status) {
          case 503 -> "SlowDown";
          case 429 -> "TooManyRequests";
          case 403 -> "AccessDenied";
          case 400 -> "InvalidRequest";
          default -> "InternalError";
        };
    error(response, status, code, "injected " + status);
  }

  private static void error(HttpServerResponse response, int status, String code, String message) {
    response
        .setStatusCode(status)
        .putHeader("Content-Type", "application/xml")
        .end(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>"
                + code
                + "</Code><Message>"
                + message
                + "</Message><RequestId>double</RequestId></Error>");
  }

  private static byte[] body(Recorded request) {
    String sha = request.header("x-amz-content-sha256");
    byte[] raw = request.body().getBytes();
    return sha != null && sha.startsWith("STREAMING") ? AwsChunked.decode(raw) : raw;
  }

  static String md5(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
