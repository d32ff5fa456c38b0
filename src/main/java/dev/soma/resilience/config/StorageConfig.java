package dev.soma.resilience.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The storage failover chain (S3-compatible, then the local filesystem, then Redis with a TTL) and
 * its upload queue. S3 is configured when bucket and both keys are set; Redis when {@code
 * redis.url} is; the local filesystem unless disabled.
 *
 * @param timeout the longest one storage call may take before the chain moves on
 * @param maxInlineBytes the largest upload that may travel inline (base64) on the event bus; larger
 *     ones are spilled to {@link #spoolDir} by the caller and passed by reference
 * @param spoolDir where queued and spilled uploads are kept, fsynced, until stored
 * @param retryInterval how often queued uploads are tried again
 * @param retryBatch queued uploads tried per round
 * @param retryMaxAttempts failed tries (a link was called and failed) after which a queued upload
 *     is set aside as a dead letter ({@code spool/dead/}) instead of being tried again
 * @throws ConfigException when a count is below 1, a duration is not positive, or a part or path is
 *     missing
 */
public record StorageConfig(
    Duration timeout,
    int maxInlineBytes,
    int breakerFailureThreshold,
    Duration breakerReset,
    S3 s3,
    Local local,
    Redis redis,
    Path spoolDir,
    Duration retryInterval,
    int retryBatch,
    int retryMaxAttempts) {

  /**
   * An S3-compatible endpoint. {@code endpoint} empty means AWS itself (for {@code region}).
   *
   * @param workerThreads the named worker pool the blocking SDK runs on
   * @param maxQueued calls waiting for that pool beyond which S3 is skipped (load shedding)
   */
  public record S3(
      Optional<URI> endpoint,
      String region,
      String bucket,
      Secret accessKeyId,
      Secret secretAccessKey,
      boolean pathStyle,
      int workerThreads,
      int maxQueued) {

    public S3 {
      Require.present("storage.s3.endpoint", endpoint);
      Require.nonEmpty("storage.s3.region", region);
      Require.present("storage.s3.bucket", bucket);
      Require.present("storage.s3.accessKeyId", accessKeyId);
      Require.present("storage.s3.secretAccessKey", secretAccessKey);
      Require.atLeast("storage.s3.workerThreads", workerThreads, 1);
      Require.atLeast("storage.s3.maxQueued", maxQueued, 1);
    }

    public boolean configured() {
      return !bucket.isEmpty() && accessKeyId.isSet() && secretAccessKey.isSet();
    }
  }

  /** The local filesystem link: objects under {@code dir}, written with fsync. */
  public record Local(boolean enabled, Path dir) {
    public Local {
      Require.present("storage.local.dir", dir);
    }
  }

  /**
   * The temporary Redis link.
   *
   * @param maxBytes larger objects skip Redis (it keeps values in memory)
   */
  public record Redis(Optional<URI> url, Duration ttl, int maxBytes) {
    public Redis {
      Require.present("redis.url", url);
      Require.positive("storage.redis.ttlSeconds", ttl);
      Require.atLeast("storage.redis.maxBytes", maxBytes, 1);
    }
  }

  public StorageConfig {
    ChainLimits.require(
        "storage",
        "maxInlineBytes",
        timeout,
        maxInlineBytes,
        breakerFailureThreshold,
        breakerReset);
    Require.present("storage.s3", s3);
    Require.present("storage.local", local);
    Require.present("storage.redis", redis);
    Require.present("storage.spoolDir", spoolDir);
    Require.positive("storage.retryIntervalMs", retryInterval);
    Require.atLeast("storage.retryBatch", retryBatch, 1);
    Require.atLeast("storage.retryMaxAttempts", retryMaxAttempts, 1);
  }

  static StorageConfig from(Settings s, Path dataDir, Optional<URI> redisUrl) {
    ChainLimits limits = ChainLimits.from(s, "storage", "maxInlineBytes");
    return new StorageConfig(
        limits.timeout(),
        limits.maxBytes(),
        limits.breakerFailureThreshold(),
        limits.breakerReset(),
        new S3(
            s.url("storage.s3.endpoint", "http", "https"),
            s.nonEmpty("storage.s3.region"),
            s.string("storage.s3.bucket"),
            new Secret(s.string("storage.s3.accessKeyId")),
            new Secret(s.string("storage.s3.secretAccessKey")),
            s.bool("storage.s3.pathStyle"),
            s.intIn("storage.s3.workerThreads", 1, 256),
            s.intIn("storage.s3.maxQueued", 1, 100_000)),
        new Local(
            s.bool("storage.local.enabled"),
            s.path("storage.local.dir", dataDir.resolve("objects"))),
        new Redis(
            redisUrl,
            s.duration("storage.redis.ttlSeconds", 1, 365 * 86_400),
            s.intIn("storage.redis.maxBytes", 1, 512 * 1024 * 1024)),
        s.path("storage.spoolDir", dataDir.resolve("upload-spool")),
        s.duration("storage.retryIntervalMs", 10, 3_600_000),
        s.intIn("storage.retryBatch", 1, 1000),
        s.intIn("storage.retryMaxAttempts", 1, 1_000_000));
  }
}
