package dev.soma.resilience.failover.storage.internal;

import dev.soma.resilience.config.StorageConfig;
import dev.soma.resilience.failover.chain.ProviderFailure;
import dev.soma.resilience.failover.storage.ObjectKey;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Any S3-compatible endpoint through the AWS SDK v2's blocking client, run on a bounded, named
 * worker pool (never on an event loop); calls beyond {@code workerThreads + maxQueued} are shed.
 * The SDK's own retries are off: failing over is the chain's job. A PUT or GET whose single-part
 * ETag is not the MD5 of the bytes is a malformed answer.
 */
public final class S3Store implements ObjectStore {

  private static final Logger LOG = LoggerFactory.getLogger(S3Store.class);

  private final StorageConfig.S3 config;
  private final WorkerExecutor workers;
  private final S3Client client;
  private final AtomicInteger inFlight = new AtomicInteger();

  public S3Store(StorageConfig.S3 config, WorkerExecutor workers, Duration timeout) {
    this.config = config;
    this.workers = workers;
    this.client = config.configured() ? build(config, timeout) : null;
  }

  private static S3Client build(StorageConfig.S3 config, Duration timeout) {
    var builder =
        S3Client.builder()
            .httpClientBuilder(
                UrlConnectionHttpClient.builder().connectionTimeout(timeout).socketTimeout(timeout))
            .region(Region.of(config.region()))
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(
                        config.accessKeyId().value(), config.secretAccessKey().value())))
            .forcePathStyle(config.pathStyle())
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .overrideConfiguration(
                o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(timeout));
    config.endpoint().ifPresent(builder::endpointOverride);
    return builder.build();
  }

  @Override
  public String name() {
    return "s3";
  }

  @Override
  public boolean configured() {
    return client != null;
  }

  @Override
  public Future<Instant> put(ObjectKey key, Payload payload) {
    return blocking(
        () -> {
          String md5;
          RequestBody body;
          if (payload.inline() != null) {
            md5 = md5(payload.inline());
            body = RequestBody.fromBytes(payload.inline());
          } else {
            md5 = md5(payload);
            body = RequestBody.fromFile(payload.file());
          }
          PutObjectResponse response =
              client.putObject(
                  r -> r.bucket(config.bucket()).key(key.path()).contentType(payload.contentType()),
                  body);
          requireEtag(response.eTag(), md5);
          return null;
        });
  }

  /** A single-part ETag is the MD5 of the bytes: anything else is a malformed answer. */
  private static void requireEtag(String header, String md5) {
    String etag = header == null ? "" : header.replace("\"", "");
    if (!etag.contains("-") && !etag.equalsIgnoreCase(md5)) {
      throw ProviderFailure.malformed("s3", "ETag '" + etag + "' is not the MD5 of the object");
    }
  }

  @Override
  public Future<Optional<StoredObject>> get(ObjectKey key) {
    return blocking(
        () -> {
          try {
            ResponseBytes<GetObjectResponse> object =
                client.getObjectAsBytes(r -> r.bucket(config.bucket()).key(key.path()));
            requireEtag(object.response().eTag(), md5(object.asByteArray()));
            return Optional.of(
                new StoredObject(object.response().contentType(), object.asByteArray()));
          } catch (NoSuchKeyException e) {
            return Optional.empty();
          }
        });
  }

  private <T> Future<T> blocking(Callable<T> call) {
    if (inFlight.incrementAndGet() > config.workerThreads() + config.maxQueued()) {
      inFlight.decrementAndGet();
      return Future.failedFuture(
          new ProviderFailure(
              ProviderFailure.Kind.DECLINED, name() + " is saturated: request shed"));
    }
    return workers
        .<T>executeBlocking(
            () -> {
              try {
                return call.call();
              } catch (S3Exception e) {
                if (e.statusCode() == 401 || e.statusCode() == 403) {
                  LOG.error(
                      "s3 rejected our credentials ({}): check storage.s3.* in the configuration",
                      e.statusCode());
                }
                throw new ProviderFailure(
                    ProviderFailure.Kind.PROVIDER_ERROR,
                    "s3 answered " + e.statusCode() + ": " + e.awsErrorDetails().errorCode());
              }
            },
            false)
        .andThen(ar -> inFlight.decrementAndGet());
  }

  private static String md5(byte[] bytes) throws NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
  }

  private static String md5(Payload payload) throws IOException, NoSuchAlgorithmException {
    MessageDigest digest = MessageDigest.getInstance("MD5");
    try (InputStream in = Files.newInputStream(payload.file())) {
      byte[] chunk = new byte[64 * 1024];
      for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
        digest.update(chunk, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
  }
}
