package dev.soma.resilience.failover.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.breaker.BreakerPanel;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.failover.storage.internal.LocalFileStore;
import dev.soma.resilience.failover.storage.internal.RedisStore;
import dev.soma.resilience.journal.JournaledWrites;
import dev.soma.resilience.testing.FreePort;
import dev.soma.resilience.testing.KafkaReader;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import dev.soma.resilience.testing.providers.ProviderDouble;
import dev.soma.resilience.testing.providers.S3Double;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The storage degradation scenario end to end over the event bus, with an S3 double, the real
 * filesystem, the real Redis, PostgreSQL (outbox, completions) and Kafka (the relayed {@code
 * upload.retry} event): detection, fallback, what the user sees, recovery.
 */
@ExtendWith(TestServices.class)
class StorageFailoverIT {

  private static final byte[] HELLO = "hello storage".getBytes(StandardCharsets.UTF_8);

  private OutboxFixture fx;
  private S3Double s3;
  private Path dir;
  private Redis redis;

  enum Fault {
    DOWN(ProviderDouble::down),
    SLOW(d -> d.slow(Duration.ofSeconds(5))),
    RATE_LIMITED(d -> d.rateLimit(30)),
    SERVER_ERROR(d -> d.failWith(503)),
    BAD_CREDENTIALS(d -> d.failWith(403)),
    MALFORMED(ProviderDouble::malformed);

    final Consumer<ProviderDouble> apply;

    Fault(Consumer<ProviderDouble> apply) {
      this.apply = apply;
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    fx = new OutboxFixture();
    s3 = new S3Double(fx.vertx, "media");
    dir = TestServices.tempDir("storage");
    redis = Redis.createClient(fx.vertx, TestServices.redis().toString());
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
  }

  @Test
  void s3StoresTheUploadAndTheReplySaysSo() throws Exception {
    deploy(Map.of());

    StoreReply reply = put("docs/a.txt", HELLO);

    assertThat(reply.status()).isEqualTo("stored");
    assertThat(reply.provider()).isEqualTo("s3");
    assertThat(s3.object("acme/docs/a.txt").data()).isEqualTo(HELLO);
    assertThat(s3.object("acme/docs/a.txt").contentType()).isEqualTo("text/plain");
    ProviderDouble.Recorded call = s3.requests().get(0);
    assertThat(call.method()).isEqualTo("PUT");
    assertThat(call.path()).isEqualTo("/media/acme/docs/a.txt");
    assertThat(call.header("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=AKIDTEST/");
    FetchReply fetched = get("docs/a.txt");
    assertThat(fetched.provider()).isEqualTo("s3");
    assertThat(fetched.data()).isEqualTo(HELLO);
  }

  @ParameterizedTest
  @EnumSource(Fault.class)
  void theLocalFilesystemTakesOverWhenS3Fails(Fault fault) throws Exception {
    deploy(Map.of());
    fault.apply.accept(s3);

    StoreReply reply = put("docs/b.txt", HELLO);

    assertThat(reply.provider()).isEqualTo("local");
    assertThat(reply.status()).isEqualTo("stored");
    assertThat(
            Files.readAllBytes(
                LocalFileStore.data(dir.resolve("objects"), new ObjectKey("acme", "docs/b.txt"))))
        .isEqualTo(HELLO);
    assertThat(s3.object("acme/docs/b.txt")).isNull();
    FetchReply fetched = get("docs/b.txt");
    assertThat(fetched.provider()).isEqualTo("local");
    assertThat(fetched.data()).isEqualTo(HELLO);
    assertThat(fetched.contentType()).isEqualTo("text/plain");
  }

  @Test
  void redisKeepsTheUploadTemporarilyWhenS3AndTheFilesystemFail() throws Exception {
    deploy(Map.of("SA01_STORAGE_LOCAL_DIR", blockedDirectory()));
    s3.down();

    StoreReply reply = put("docs/c.txt", HELLO);

    assertThat(reply.provider()).isEqualTo("redis");
    assertThat(reply.expiresAt())
        .isBetween(Instant.now().plusSeconds(500), Instant.now().plusSeconds(601));
    assertThat(reply.message()).startsWith("stored temporarily until");
    String key = RedisStore.dataKey(new ObjectKey("acme", "docs/c.txt"));
    long ttl =
        Blocking.await(redis.send(Request.cmd(Command.TTL).arg(key)), Duration.ofSeconds(5))
            .toLong();
    assertThat(ttl).isBetween(1L, 600L);
    FetchReply fetched = get("docs/c.txt");
    assertThat(fetched.provider()).isEqualTo("redis");
    assertThat(fetched.data()).isEqualTo(HELLO);
  }

  @Test
  void keysNestedInEachOtherAreBothStoredOnTheLocalFilesystemInEitherOrder() throws Exception {
    // S3 holds "a" and "a/x" side by side; a file tree cannot (one would be a file and a
    // directory): the second upload failed on local, fed its shared breaker and, queued, for ever
    deploy(Map.of("SA01_STORAGE_BREAKER_FAILURE_THRESHOLD", "1"));
    s3.down();
    Map<String, byte[]> uploads = new java.util.LinkedHashMap<>();
    uploads.put("dir2/x", "inner".getBytes(StandardCharsets.UTF_8));
    uploads.put("dir2", "outer".getBytes(StandardCharsets.UTF_8));
    uploads.put("f1.txt", "file".getBytes(StandardCharsets.UTF_8));
    uploads.put("f1.txt/child", "child".getBytes(StandardCharsets.UTF_8));

    for (Map.Entry<String, byte[]> upload : uploads.entrySet()) {
      StoreReply reply = put(upload.getKey(), upload.getValue());
      assertThat(reply.provider()).as(upload.getKey()).isEqualTo("local");
      assertThat(reply.status()).isEqualTo("stored");
    }

    for (Map.Entry<String, byte[]> upload : uploads.entrySet()) {
      FetchReply fetched = get(upload.getKey());
      assertThat(fetched.provider()).as(upload.getKey()).isEqualTo("local");
      assertThat(fetched.data()).isEqualTo(upload.getValue());
      assertThat(fetched.contentType()).isEqualTo("text/plain");
    }
  }

  @Test
  void anObjectTheLocalFilesystemKeptInTheEarlierLayoutIsStillRead() throws Exception {
    Path data = dir.resolve("objects/data/acme/old/a.txt");
    Files.createDirectories(data.getParent());
    Files.write(data, HELLO);
    Path meta = dir.resolve("objects/meta/acme/old/a.txt");
    Files.createDirectories(meta.getParent());
    Files.writeString(meta, "text/markdown");
    deploy(Map.of());
    s3.down();

    FetchReply fetched = get("old/a.txt");

    assertThat(fetched.provider()).isEqualTo("local");
    assertThat(fetched.data()).isEqualTo(HELLO);
    assertThat(fetched.contentType()).isEqualTo("text/markdown");
    // a new write of the key wins over the earlier layout
    assertThat(put("old/a.txt", "newer".getBytes(StandardCharsets.UTF_8)).provider())
        .isEqualTo("local");
    assertThat(get("old/a.txt").data()).isEqualTo("newer".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aQueuedUploadThatKeepsFailingBecomesADeadLetterAfterItsMaxAttempts() throws Exception {
    deploy(
        withAll(
            allLinksDown(),
            Map.of(
                "SA01_STORAGE_RETRY_MAX_ATTEMPTS", "2",
                "SA01_STORAGE_BREAKER_FAILURE_THRESHOLD", "1000")));
    s3.down();

    StoreReply reply = put("docs/never.txt", HELLO);
    assertThat(reply.status()).isEqualTo("queued");
    String uploadId = reply.uploadId();
    Path dead = dir.resolve("spool/dead/" + uploadId + ".json");

    await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dead));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> !Files.exists(dir.resolve("spool/queued/" + uploadId + ".json")));
    JsonObject letter = new JsonObject(Files.readString(dead));
    assertThat(letter.getInteger("attempts")).isEqualTo(2);
    assertThat(letter.getString("key")).isEqualTo("docs/never.txt");
    assertThat(letter.getString("lastError")).contains("every storage link failed");
    assertThat(Files.readAllBytes(dir.resolve("spool").resolve(letter.getString("bytes"))))
        .isEqualTo(HELLO);
    assertThat(dir.resolve("spool/queued/" + uploadId + ".bin")).doesNotExist();
    assertThat(fx.meters.get("dlq.messages").tag("topic", "upload.retry").counter().count())
        .isEqualTo(1.0);
    // set aside: no round tries it again (it would show in the queue again or be buried twice)
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(
            () ->
                !Files.exists(dir.resolve("spool/queued/" + uploadId + ".json"))
                    && fx.meters.get("dlq.messages").tag("topic", "upload.retry").counter().count()
                        == 1.0);
  }

  @Test
  void whenEveryLinkFailsTheUploadIsQueuedDurablyAndStoredOnceS3Returns() throws Exception {
    ServiceConfig config = deploy(allLinksDown());
    fx.deployRelay(config, TestServices.kafkaBootstrap(), "relay-storage");
    s3.failWith(500);

    StoreReply reply = put("docs/d.txt", HELLO);

    assertThat(reply.status()).isEqualTo("queued");
    assertThat(reply.message()).isEqualTo("upload queued");
    assertThat(reply.provider()).isEqualTo("upload-queue");
    String uploadId = reply.uploadId();
    Path spooled = dir.resolve("spool/queued/" + uploadId + ".bin");
    assertThat(Files.readAllBytes(spooled)).isEqualTo(HELLO);
    JsonObject event =
        fx.query(
                "SELECT payload FROM outbox_messages WHERE topic = 'upload.retry'"
                    + " AND dedupe_key = $1",
                "upload:" + uploadId)
            .get(0)
            .getJsonObject("payload");
    assertThat(event.getString("key")).isEqualTo("docs/d.txt");
    assertThat(event.getLong("sizeBytes")).isEqualTo(HELLO.length);
    assertThat(
            KafkaReader.read(
                    TestServices.kafkaBootstrap(), "upload.retry", 1, Duration.ofSeconds(30))
                .stream()
                .map(ConsumerRecord::value)
                .anyMatch(v -> v.contains(uploadId)))
        .isTrue();

    s3.healthy();

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                fx.count("SELECT count(*) FROM upload_completions WHERE upload_id = $1", uploadId)
                    == 1);
    assertThat(s3.object("acme/docs/d.txt").data()).isEqualTo(HELLO);
    assertThat(fx.query("SELECT provider FROM upload_completions").get(0).getString(0))
        .isEqualTo("s3");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                !Files.exists(spooled)
                    && !Files.exists(dir.resolve("spool/queued/" + uploadId + ".json")));
    assertThat(get("docs/d.txt").provider()).isEqualTo("s3");
  }

  @Test
  void aLargeUploadIsSpilledFirstAndKeptWhateverItsSizeUntilStored() throws Exception {
    deploy(withAll(allLinksDown(), Map.of("SA01_STORAGE_MAX_INLINE_BYTES", "1024")));
    s3.down();
    byte[] large = new byte[3 * 1024 * 1024];
    new Random(7).nextBytes(large);

    assertThatThrownBy(
            () ->
                send(
                    StorageAddresses.PUT,
                    new StoreRequest(new ObjectKey("acme", "big.bin"), "r", null, null, large, null)
                        .toJson()))
        .isInstanceOfSatisfying(
            ReplyException.class,
            e -> assertThat(e.failureCode()).isEqualTo(StorageAddresses.TOO_LARGE));

    UploadSpool spool =
        new UploadSpool(dir.resolve("spool"), fx.vertx.createSharedWorkerExecutor("test-spool"));
    String ref = Blocking.await(spool.spill(large), Duration.ofSeconds(10));
    StoreReply reply =
        StoreReply.fromJson(
            send(
                StorageAddresses.PUT,
                new StoreRequest(
                        new ObjectKey("acme", "big.bin"),
                        "r-big",
                        "big-1",
                        "application/octet-stream",
                        null,
                        ref)
                    .toJson()));

    assertThat(reply.status()).isEqualTo("queued");
    assertThat(reply.uploadId()).isEqualTo("big-1");
    assertThat(Files.readAllBytes(spool.incoming(ref))).isEqualTo(large);

    s3.healthy();

    await().atMost(Duration.ofSeconds(20)).until(() -> s3.object("acme/big.bin") != null);
    assertThat(s3.object("acme/big.bin").data()).isEqualTo(large);
    await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(spool.incoming(ref)));
  }

  @Test
  void aQueuedMarkerWhoseBytesAreGoneIsRemovedWithoutACallAndDoesNotStarveTheQueue()
      throws Exception {
    Path queued = Files.createDirectories(dir.resolve("spool/queued"));
    Path orphan = marker(queued, "orphan-1", "docs/orphan.txt", "queued/orphan-1.bin");
    Files.setLastModifiedTime(orphan, FileTime.from(Instant.now().minusSeconds(60)));
    Files.write(queued.resolve("good-1.bin"), HELLO);
    marker(queued, "good-1", "docs/good.txt", "queued/good-1.bin");

    deploy(Map.of("SA01_STORAGE_RETRY_BATCH", "1"));

    await().atMost(Duration.ofSeconds(20)).until(() -> s3.object("acme/docs/good.txt") != null);
    assertThat(s3.object("acme/docs/good.txt").data()).isEqualTo(HELLO);
    assertThat(orphan).doesNotExist();
    assertThat(s3.requests()).noneMatch(r -> r.path().contains("orphan"));
    assertThat(fx.count("SELECT count(*) FROM upload_completions WHERE upload_id = 'orphan-1'"))
        .isZero();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                !Files.exists(queued.resolve("good-1.json"))
                    && !Files.exists(queued.resolve("good-1.bin")));
  }

  /** A marker as {@code UploadQueue.queue} writes it. */
  private static Path marker(Path queued, String uploadId, String key, String bytes)
      throws Exception {
    return Files.writeString(
        queued.resolve(uploadId + ".json"),
        new JsonObject()
            .put("uploadId", uploadId)
            .put("tenantId", "acme")
            .put("key", key)
            .put("contentType", "text/plain")
            .put("bytes", bytes)
            .put("queuedAt", Instant.now().toString())
            .encode());
  }

  @Test
  void aSpilledUploadThatCanNeitherBeStoredNorQueuedLeavesNoFileInTheSpool() throws Exception {
    // the database cannot be reached and there is no journal: the queue entry cannot be written
    Pool unreachable =
        PgBuilder.pool()
            .connectingTo("postgresql://soma@127.0.0.1:" + FreePort.find() + "/soma")
            .using(fx.vertx)
            .build();
    deploy(allLinksDown(), unreachable);
    s3.down();
    UploadSpool spool =
        new UploadSpool(dir.resolve("spool"), fx.vertx.createSharedWorkerExecutor("test-spool"));
    String ref = Blocking.await(spool.spill(HELLO), Duration.ofSeconds(10));

    assertThatThrownBy(
            () ->
                send(
                    StorageAddresses.PUT,
                    new StoreRequest(
                            new ObjectKey("acme", "lost.bin"), "r-lost", null, null, null, ref)
                        .toJson()))
        .isInstanceOfSatisfying(
            ReplyException.class,
            e -> assertThat(e.failureCode()).isEqualTo(StorageAddresses.UNAVAILABLE));
    assertThat(spool.incoming(ref)).doesNotExist();
  }

  @Test
  void anUploadIdQueuedAlreadyIsNeitherOverwrittenNorDeletedByAnotherPutOfIt() throws Exception {
    // the first put of upload id first-1 was queued and answered 202; the database is now gone, so
    // a second put of the id could not be queued: its failure path deleted the first's marker and
    // bytes, and a put of the id for another key overwrote the marker (review and trial findings)
    Path queued = Files.createDirectories(dir.resolve("spool/queued"));
    Files.write(queued.resolve("first-1.bin"), HELLO);
    marker(queued, "first-1", "docs/first.txt", "queued/first-1.bin");
    Pool unreachable =
        PgBuilder.pool()
            .connectingTo("postgresql://soma@127.0.0.1:" + FreePort.find() + "/soma")
            .using(fx.vertx)
            .build();
    deploy(
        withAll(allLinksDown(), Map.of("SA01_STORAGE_RETRY_INTERVAL_MS", "600000")), unreachable);
    s3.down();

    StoreReply again = putWithId("first-1", "docs/first.txt", HELLO);
    assertThatThrownBy(
            () -> putWithId("first-1", "docs/other.txt", "other".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(
            ReplyException.class,
            e -> assertThat(e.failureCode()).isEqualTo(StorageAddresses.CONFLICT));

    assertThat(again.status()).isEqualTo("queued");
    assertThat(again.uploadId()).isEqualTo("first-1");
    assertThat(Files.readAllBytes(queued.resolve("first-1.bin"))).isEqualTo(HELLO);
    JsonObject marker = new JsonObject(Files.readString(queued.resolve("first-1.json")));
    assertThat(marker.getString("key")).isEqualTo("docs/first.txt");
    assertThat(marker.getString("bytes")).isEqualTo("queued/first-1.bin");
  }

  private StoreReply putWithId(String uploadId, String key, byte[] data) throws Exception {
    return StoreReply.fromJson(
        send(
            StorageAddresses.PUT,
            new StoreRequest(
                    new ObjectKey("acme", key), "req-" + key, uploadId, "text/plain", data, null)
                .toJson()));
  }

  @Test
  void anOldSpillNoMarkerNamesIsSweptAndAQueuedOneIsKept() throws Exception {
    UploadSpool spool =
        new UploadSpool(dir.resolve("spool"), fx.vertx.createSharedWorkerExecutor("test-spool"));
    String neverSent = Blocking.await(spool.spill(HELLO), Duration.ofSeconds(10));
    String queued = Blocking.await(spool.spill(HELLO), Duration.ofSeconds(10));
    marker(
        Files.createDirectories(dir.resolve("spool/queued")),
        "old-1",
        "docs/old.txt",
        "incoming/" + queued + ".bin");
    FileTime old =
        FileTime.from(Instant.now().minus(StorageFailoverVerticle.SWEEP_AGE).minusSeconds(60));
    Files.setLastModifiedTime(spool.incoming(neverSent), old);
    Files.setLastModifiedTime(spool.incoming(queued), old);

    deploy(allLinksDown());
    s3.down();

    await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(spool.incoming(neverSent)));
    assertThat(spool.incoming(queued)).exists();
    assertThat(dir.resolve("spool/queued/old-1.json")).exists();
  }

  @Test
  void aRecoveredS3GetsTheTrafficBackAfterTheBreakerResetTimeout() throws Exception {
    deploy(
        Map.of(
            "SA01_STORAGE_BREAKER_FAILURE_THRESHOLD",
            "1",
            "SA01_STORAGE_BREAKER_RESET_MS",
            "1500"));
    s3.failWith(503);
    assertThat(put("r/1", HELLO).provider()).isEqualTo("local");
    s3.healthy();
    assertThat(put("r/2", HELLO).provider()).as("breaker still open").isEqualTo("local");
    assertThat(s3.requests()).hasSize(1);

    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> put("r/3", HELLO).provider().equals("s3"));
    assertThat(put("r/4", HELLO).provider()).isEqualTo("s3");
  }

  @Test
  void s3WithoutCredentialsIsSkippedAsNotConfigured() throws Exception {
    deploy(Map.of("SA01_STORAGE_S3_SECRET_ACCESS_KEY", ""));

    assertThat(put("n/1", HELLO).provider()).isEqualTo("local");
    assertThat(s3.requests()).isEmpty();
    assertThat(fx.meters.find("media.failover.count").counters()).isEmpty();
  }

  @Test
  void aBadKeyIsRefusedBeforeAnyLinkIsTried() throws Exception {
    deploy(Map.of());

    assertThatThrownBy(
            () ->
                send(
                    StorageAddresses.PUT,
                    new JsonObject()
                        .put("tenantId", "acme")
                        .put("key", "../etc/passwd")
                        .put("data", "AA==")))
        .isInstanceOfSatisfying(
            ReplyException.class,
            e -> assertThat(e.failureCode()).isEqualTo(StorageAddresses.CALLER_FAULT));
    assertThat(s3.requests()).isEmpty();
  }

  @Test
  void fetchingAnObjectNoLinkHasIsNotFound() throws Exception {
    deploy(Map.of());

    assertThatThrownBy(() -> get("missing"))
        .isInstanceOfSatisfying(
            ReplyException.class,
            e -> assertThat(e.failureCode()).isEqualTo(StorageAddresses.NOT_FOUND));
  }

  private Map<String, String> allLinksDown() throws Exception {
    return Map.of(
        "SA01_STORAGE_LOCAL_DIR",
        blockedDirectory(),
        "SA01_REDIS_URL",
        "redis://127.0.0.1:" + FreePort.find());
  }

  /** A directory path under a regular file: nothing can be created there. */
  private String blockedDirectory() throws Exception {
    Path blocker = dir.resolve("blocker");
    Files.write(blocker, new byte[0]);
    return blocker.resolve("objects").toString();
  }

  private static Map<String, String> withAll(Map<String, String> a, Map<String, String> b) {
    Map<String, String> all = new HashMap<>(a);
    all.putAll(b);
    return all;
  }

  private ServiceConfig deploy(Map<String, String> overrides) throws Exception {
    return deploy(overrides, fx.pool);
  }

  private ServiceConfig deploy(Map<String, String> overrides, Pool pool) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("SA01_STORAGE_TIMEOUT_MS", "2500");
    env.put("SA01_STORAGE_S3_ENDPOINT", s3.baseUrl());
    env.put("SA01_STORAGE_S3_BUCKET", "media");
    env.put("SA01_STORAGE_S3_ACCESS_KEY_ID", "AKIDTEST");
    env.put("SA01_STORAGE_S3_SECRET_ACCESS_KEY", "secret-test");
    env.put("SA01_STORAGE_LOCAL_DIR", dir.resolve("objects").toString());
    env.put("SA01_STORAGE_SPOOL_DIR", dir.resolve("spool").toString());
    env.put("SA01_STORAGE_REDIS_TTL_SECONDS", "600");
    env.put("SA01_STORAGE_RETRY_INTERVAL_MS", "300");
    env.put("SA01_STORAGE_BREAKER_RESET_MS", "1000");
    env.put("SA01_REDIS_URL", TestServices.redis().toString());
    env.putAll(overrides);
    ServiceConfig config = OutboxFixture.config(env);
    Blocking.await(
        fx.vertx.deployVerticle(
            new StorageFailoverVerticle(
                config.storage(),
                pool,
                JournaledWrites.withoutJournal(pool),
                fx.outbox,
                fx.meters,
                Clock.systemUTC(),
                new BreakerPanel())),
        Duration.ofSeconds(10));
    return config;
  }

  private StoreReply put(String key, byte[] data) throws Exception {
    return StoreReply.fromJson(
        send(
            StorageAddresses.PUT,
            new StoreRequest(
                    new ObjectKey("acme", key), "req-" + key, null, "text/plain", data, null)
                .toJson()));
  }

  private FetchReply get(String key) throws Exception {
    return FetchReply.fromJson(
        send(
            StorageAddresses.GET,
            new FetchRequest(new ObjectKey("acme", key), "get-" + key).toJson()));
  }

  private JsonObject send(String address, JsonObject body) throws Exception {
    return Blocking.<io.vertx.core.eventbus.Message<JsonObject>>await(
            fx.vertx
                .eventBus()
                .request(address, body, new DeliveryOptions().setSendTimeout(30_000)),
            Duration.ofSeconds(35))
        .body();
  }
}
